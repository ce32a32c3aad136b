import { userInfo } from 'node:os';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Ballot, PendingApproval, Principal } from '../domain/approval';
import type { Environment } from '../domain/environment';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { renderTable } from '../render/terminal/table';

/** The CLI's identity: SECOPS_USER, else the OS user. Temporal's own access control guards who may run it. */
export function cliPrincipal(env: Environment): Principal {
  return `cli:${env.SECOPS_USER ?? userInfo().username}`;
}

/** Every pending approval in the namespace (runs flagged SecopsApprovalPending, asked by Query). */
export async function pendingApprovals(client: Client): Promise<PendingApproval[]> {
  const pending: PendingApproval[] = [];
  for await (const run of client.workflow.list({ query: `${SEARCH_ATTRIBUTES.approvalPending.name} = true AND ExecutionStatus = 'Running'` })) {
    const open = await client.workflow.getHandle(run.workflowId, run.runId).query<PendingApproval[]>('pendingApprovals').catch(() => []);
    pending.push(...open);
  }
  return pending;
}

export function approvalsTable(approvals: PendingApproval[], me: Principal): string {
  if (approvals.length === 0) return 'no pending approvals';
  return renderTable(
    ['approval', 'action', 'summary', 'risk', 'requested by', 'votes', 'expires', 'you may vote'],
    approvals.map((a) => [a.approvalId, a.action, a.summary, a.risk, a.requestedBy, `${a.approvals.length}/${a.quorum}`, a.expiresAt, a.allowed.includes(me) ? 'yes' : 'no']),
  );
}

export class BallotRefusedError extends Error {}

/** Casts a vote through the workflow's `decide` Update; its validator's refusal comes back as a BallotRefusedError. */
export async function castBallot(client: Client, ballot: Ballot): Promise<PendingApproval | { approved: boolean; reason: string }> {
  const workflowId = ballot.approvalId.slice(0, ballot.approvalId.lastIndexOf('#'));
  if (!workflowId) throw new BallotRefusedError(`${ballot.approvalId} is not an approval id (<workflow id>#<n>)`);
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate('decide', { args: [ballot] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new BallotRefusedError(error.cause?.message ?? error.message);
    // The run has ended (or never was): a late click on an old message, not a failure.
    if (error instanceof WorkflowNotFoundError) throw new BallotRefusedError(`approval ${ballot.approvalId} is not pending (its run has ended or does not exist)`);
    throw error;
  }
}

import type { Client } from '@temporalio/client';
import { mayStillVote, type PendingApproval, type Principal } from '../domain/approval-rules';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { pendingApprovalsQuery } from '../workflows/approval';

/** Every pending approval in the namespace (runs flagged SecopsApprovalPending, asked by Query). */
export async function pendingApprovals(client: Client): Promise<PendingApproval[]> {
  const pending: PendingApproval[] = [];
  for await (const run of client.workflow.list({ query: `${SEARCH_ATTRIBUTES.approvalPending.name} = true AND ExecutionStatus = 'Running'` })) {
    const open = await client.workflow.getHandle(run.workflowId, run.runId).query(pendingApprovalsQuery).catch(() => []);
    pending.push(...open);
  }
  return pending;
}

/** Pending approvals `me` may still vote on. */
export async function myPendingApprovals(client: Client, me: Principal): Promise<PendingApproval[]> {
  return (await pendingApprovals(client)).filter((approval) => mayStillVote(approval, me));
}

import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { ApprovalDecision, Ballot, PendingApproval } from '../domain/approval';
import { appendAuditEvent } from '../store/audit-events';
import type { Database } from '../store/database';
import { decideUpdate } from '../workflows/approval';
import { notAnApprovalId, workflowIdOfApproval } from '../domain/approval-id';
import { frontEndOf } from './front-end-of';

export class BallotRefusedError extends Error {}

/**
 * Casts a vote through the workflow's `decide` Update. An id that is not `<workflow id>#<n>`
 * is refused before anything is sent. A refusal by the Update's validator, or because the
 * approval is not there to vote on, comes back as a BallotRefusedError and is audited here:
 * the validator rejects it before history, so the workflow keeps no trace, and every front
 * end's refusals are recorded alike. Without a store nothing is audited. `idempotencyKey`
 * (e.g. from Slack's trigger_id) makes a replayed request audit once.
 */
export async function castBallot(deps: { client: Client; db?: Database }, ballot: Ballot, idempotencyKey?: string): Promise<PendingApproval | ApprovalDecision> {
  const workflowId = workflowIdOfApproval(ballot.approvalId);
  // Not a vote on any approval, so nothing to audit: an input error, told to whoever sent it.
  if (!workflowId) throw new BallotRefusedError(notAnApprovalId(ballot.approvalId));
  try {
    return await sendBallot(deps.client, workflowId, ballot);
  } catch (error) {
    if (error instanceof BallotRefusedError && deps.db) await auditRefusal(deps.db, ballot, error.message, idempotencyKey);
    throw error;
  }
}

async function sendBallot(client: Client, workflowId: string, ballot: Ballot): Promise<PendingApproval | ApprovalDecision> {
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(decideUpdate, { args: [ballot] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new BallotRefusedError(error.cause?.message ?? error.message);
    // The run has ended (or never was): a late click on an old message, not a failure.
    if (error instanceof WorkflowNotFoundError) throw new BallotRefusedError(`approval ${ballot.approvalId} is not pending (its run has ended or does not exist)`);
    throw error;
  }
}

async function auditRefusal(db: Database, ballot: Ballot, reason: string, idempotencyKey: string | undefined): Promise<void> {
  await appendAuditEvent(db, {
    actor: ballot.voter,
    action: `approval.${ballot.vote}`,
    subject: ballot.approvalId,
    outcome: 'refused',
    details: { reason, via: frontEndOf(ballot.voter) },
    ...(idempotencyKey && { idempotencyKey }),
  });
}

import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { ApprovalDecision, PendingApproval } from '../domain/approval-rules';
import type { Ballot } from '../domain/ballot';
import { appendAuditEvent } from '../store/audit-events';
import type { Database } from '../store/database';
import { decideUpdate } from '../workflows/approval';
import { notAnApprovalId, runOfApproval } from '../domain/approval-id';
import { signBallot, type VoteIntent } from './ballot-signer';
import { frontEndOf } from './front-end-of';
import type { SigningKey } from './signing-key-file';

export class BallotRefusedError extends Error {}

/**
 * Signs a vote with the front end's key and casts it through the workflow's `decide`
 * Update, addressed to the run the approval id names. An id that is not an approval id
 * is refused before anything is sent; a front end without a key cannot vote at all. A refusal by the Update's validator, or because the
 * approval is not there to vote on, comes back as a BallotRefusedError and is audited here:
 * the validator rejects it before history, so the workflow keeps no trace, and every front
 * end's refusals are recorded alike. Without a store nothing is audited. `idempotencyKey`
 * (e.g. from Slack's trigger_id) makes a replayed request audit once.
 */
export async function castBallot(
  deps: { client: Client; db?: Database; signer?: SigningKey },
  vote: VoteIntent,
  idempotencyKey?: string,
): Promise<PendingApproval | ApprovalDecision> {
  const run = runOfApproval(vote.approvalId);
  // Not a vote on any approval, so nothing to audit: an input error, told to whoever sent it.
  if (!run) throw new BallotRefusedError(notAnApprovalId(vote.approvalId));
  try {
    if (!deps.signer) throw new BallotRefusedError('this front end has no ballot-signing key (SECOPS_BALLOT_KEY_FILE or SECOPS_BALLOT_KEY; `secops keys init` creates one)');
    return await sendBallot(deps.client, run, signBallot(deps.signer, vote));
  } catch (error) {
    if (error instanceof BallotRefusedError && deps.db) await auditRefusal(deps.db, vote, deps.signer?.keyId, error.message, idempotencyKey);
    throw error;
  }
}

/** Sends an already signed ballot as it is: what a hostile client would do, and what tests of the gate need. */
export async function sendBallot(client: Client, run: { workflowId: string; runId?: string }, ballot: Ballot): Promise<PendingApproval | ApprovalDecision> {
  try {
    return await client.workflow.getHandle(run.workflowId, run.runId).executeUpdate(decideUpdate, { args: [ballot] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new BallotRefusedError(error.cause?.message ?? error.message);
    // The run has ended (or never was): a late click on an old message, not a failure.
    if (error instanceof WorkflowNotFoundError) throw new BallotRefusedError(`approval ${ballot.approvalId} is not pending (its run has ended or does not exist)`);
    throw error;
  }
}

async function auditRefusal(db: Database, vote: VoteIntent, keyId: string | undefined, reason: string, idempotencyKey: string | undefined): Promise<void> {
  await appendAuditEvent(db, {
    actor: vote.voter,
    action: `approval.${vote.vote}`,
    subject: vote.approvalId,
    outcome: 'refused',
    details: { reason, via: frontEndOf(vote.voter) },
    ...(keyId && { keyId }),
    ...(idempotencyKey && { idempotencyKey }),
  });
}

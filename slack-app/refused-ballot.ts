import type { Ballot } from '../domain/approval';
import { appendAuditEvent } from '../store/audit-events';
import type { Database } from '../store/database';

/**
 * A refused vote leaves no trace in the workflow (the Update's validator rejects it before
 * history), so the Slack app records the attempt itself. Keyed by the request's trigger_id:
 * a replayed request writes nothing new.
 */
export async function auditRefusedBallot(db: Database | undefined, ballot: Ballot, reason: string, triggerId: string): Promise<void> {
  if (!db) return;
  await appendAuditEvent(db, {
    actor: ballot.voter,
    action: `approval.${ballot.vote}`,
    subject: ballot.approvalId,
    outcome: 'refused',
    details: { reason, via: 'slack' },
    idempotencyKey: `slack/${triggerId}`,
  });
}

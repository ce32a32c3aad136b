import type { TriageDecision } from '../domain/triage';
import { appendAuditEvent } from '../store/audit-events';
import { inTransaction, type Database } from '../store/database';
import { recordTriageDecision } from '../store/triage';
import { frontEndOf } from './front-end-of';

/**
 * Stores a triage decision for later scans to honor, and audits who made it and through
 * which front end, in one transaction: no decision without its audit row, nor the reverse.
 */
export async function recordTriage(db: Database, decision: Omit<TriageDecision, 'decidedAt'>): Promise<void> {
  await inTransaction(db, async (tx) => {
    await recordTriageDecision(tx, decision);
    await appendAuditEvent(tx, {
      actor: decision.decidedBy,
      action: `triage.${decision.kind}`,
      subject: `${decision.targetId}/${decision.fingerprint}`,
      outcome: 'succeeded',
      details: { reason: decision.reason ?? null, ticketUrl: decision.ticketUrl ?? null, expiresAt: decision.expiresAt ?? null, via: frontEndOf(decision.decidedBy) },
    });
  });
}

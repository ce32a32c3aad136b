import type { Database } from './database';

export type AuditOutcome = 'allowed' | 'refused' | 'succeeded' | 'failed';

export interface AuditEventInput {
  actor: string;
  action: string;
  subject: string;
  outcome: AuditOutcome;
  details?: Record<string, unknown>;
  /** Set by activities (e.g. workflow id + activity id) so a retry does not write twice. */
  idempotencyKey?: string;
}

export interface AuditEvent extends Required<Omit<AuditEventInput, 'idempotencyKey'>> {
  id: string;
  occurredAt: Date;
}

/** Appends an event; returns false when its idempotency key was already written. */
export async function appendAuditEvent(db: Database, event: AuditEventInput): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO audit_events (actor, action, subject, outcome, details, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [event.actor, event.action, event.subject, event.outcome, JSON.stringify(event.details ?? {}), event.idempotencyKey ?? null],
  );
  return result.rowCount === 1;
}

export async function listAuditEvents(db: Database, filter: { subject?: string; limit?: number } = {}): Promise<AuditEvent[]> {
  const { rows } = await db.query(
    `SELECT id, occurred_at, actor, action, subject, outcome, details FROM audit_events
     WHERE $1::text IS NULL OR subject = $1
     ORDER BY occurred_at, id LIMIT $2`,
    [filter.subject ?? null, filter.limit ?? 1000],
  );
  return rows.map((row) => ({
    id: String(row.id),
    occurredAt: row.occurred_at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    outcome: row.outcome,
    details: row.details,
  }));
}

import type { TriageDecision } from '../domain/triage';
import type pg from 'pg';
import type { Database } from './database';

export async function recordTriageDecision(db: Database | pg.PoolClient, decision: Omit<TriageDecision, 'decidedAt'>): Promise<void> {
  await db.query(
    `INSERT INTO triage_decisions (target_id, fingerprint, kind, reason, ticket_url, expires_at, decided_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [decision.targetId, decision.fingerprint, decision.kind, decision.reason ?? null, decision.ticketUrl ?? null, decision.expiresAt ?? null, decision.decidedBy],
  );
}

/** Decisions not revoked; whether one still suppresses (expiry) is decided by domain/triage. */
export async function triageDecisions(db: Database, targetId: string): Promise<TriageDecision[]> {
  const { rows } = await db.query(
    `SELECT * FROM triage_decisions WHERE target_id = $1 AND revoked_at IS NULL ORDER BY decided_at, id`,
    [targetId],
  );
  return rows.map((r) => ({
    targetId: r.target_id,
    fingerprint: r.fingerprint,
    kind: r.kind,
    ...(r.reason !== null && { reason: r.reason }),
    ...(r.ticket_url !== null && { ticketUrl: r.ticket_url }),
    ...(r.expires_at !== null && { expiresAt: r.expires_at.toISOString() }),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at.toISOString(),
  }));
}

import type pg from 'pg';
import { GENESIS_HASH, auditRowHash, auditStreamOf, type ChainedAuditRow } from '../domain/audit-chain';
import { inTransaction, type Database } from './database';

export type AuditOutcome = 'allowed' | 'refused' | 'succeeded' | 'failed';

export interface AuditEventInput {
  actor: string;
  action: string;
  subject: string;
  outcome: AuditOutcome;
  details?: Record<string, unknown>;
  /** Set by activities (e.g. approval id + voter) so a retry does not write twice. */
  idempotencyKey?: string;
  /** A vote's Ed25519 signature and key id, kept so the ballot can be verified again. */
  signature?: string;
  keyId?: string;
}

export interface AuditEvent extends Required<Omit<AuditEventInput, 'idempotencyKey' | 'signature' | 'keyId'>> {
  id: string;
  occurredAt: Date;
  signature?: string;
  keyId?: string;
}

/** A connection to write on: the pool, or a transaction's client when the audit row goes with other writes. */
type Queryable = Database | pg.PoolClient;

/**
 * Appends an event to its stream's hash chain; returns false when its idempotency key was
 * already written. Writers of one stream queue on an advisory lock so each links to the
 * row really before it. Given a transaction's client, it joins that transaction: the act
 * and its audit row land together or not at all.
 */
export async function appendAuditEvent(db: Queryable, event: AuditEventInput): Promise<boolean> {
  if (!('release' in db)) return inTransaction(db, (client) => appendAuditEvent(client, event));
  const stream = auditStreamOf(event.action);
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('audit-stream:' || $1))`, [stream]);
  if (event.idempotencyKey) {
    const seen = await db.query('SELECT 1 FROM audit_events WHERE idempotency_key = $1', [event.idempotencyKey]);
    if (seen.rowCount) return false;
  }
  const last = await db.query<{ hash: string }>('SELECT hash FROM audit_events WHERE stream = $1 ORDER BY id DESC LIMIT 1', [stream]);
  const details = storableJson(event.details ?? {});
  const row = {
    stream,
    prevHash: last.rows[0]?.hash ?? GENESIS_HASH,
    occurredAt: new Date().toISOString(),
    actor: event.actor,
    action: event.action,
    subject: event.subject,
    outcome: event.outcome,
    details,
    idempotencyKey: event.idempotencyKey ?? null,
    signature: event.signature ?? null,
    keyId: event.keyId ?? null,
  };
  await db.query(
    `INSERT INTO audit_events (occurred_at, actor, action, subject, outcome, details, idempotency_key, stream, prev_hash, hash, signature, key_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [row.occurredAt, row.actor, row.action, row.subject, row.outcome, JSON.stringify(details), row.idempotencyKey, stream, row.prevHash, auditRowHash(row), row.signature, row.keyId],
  );
  return true;
}

/** What jsonb will give back: undefined dropped, and NUL (which jsonb refuses) replaced. */
function storableJson(details: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(details).replace(/\\u0000/g, '\\ufffd')) as Record<string, unknown>;
}

export interface AuditFilter {
  subject?: string;
  actor?: string;
  action?: string;
  since?: Date;
  until?: Date;
  limit?: number;
}

export async function listAuditEvents(db: Database, filter: AuditFilter = {}): Promise<AuditEvent[]> {
  const { rows } = await db.query(
    `SELECT id, occurred_at, actor, action, subject, outcome, details, signature, key_id FROM audit_events
     WHERE ($1::text IS NULL OR subject = $1) AND ($2::text IS NULL OR actor = $2) AND ($3::text IS NULL OR action = $3)
       AND ($4::timestamptz IS NULL OR occurred_at >= $4) AND ($5::timestamptz IS NULL OR occurred_at < $5)
     ORDER BY occurred_at, id LIMIT $6`,
    [filter.subject ?? null, filter.actor ?? null, filter.action ?? null, filter.since ?? null, filter.until ?? null, filter.limit ?? 1000],
  );
  return rows.map((row) => ({
    id: String(row.id),
    occurredAt: row.occurred_at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    outcome: row.outcome,
    details: row.details,
    ...(row.signature !== null && { signature: row.signature }),
    ...(row.key_id !== null && { keyId: row.key_id }),
  }));
}

/** Rows written before the chain existed (no hash): kept, but nothing can vouch for them. */
export async function countUnchainedAuditEvents(db: Database): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_events WHERE hash IS NULL');
  return Number(rows[0]!.n);
}

export async function auditStreams(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ stream: string }>('SELECT DISTINCT stream FROM audit_events WHERE stream IS NOT NULL ORDER BY stream');
  return rows.map((r) => r.stream);
}

/** One stream's chained rows in chain order, a page at a time, so a long trail never sits in memory whole. */
export async function* chainedAuditRows(db: Database, stream: string, pageSize = 1000): AsyncGenerator<ChainedAuditRow> {
  let after = '0';
  for (;;) {
    const { rows } = await db.query(
      `SELECT id, stream, prev_hash, hash, occurred_at, actor, action, subject, outcome, details, idempotency_key, signature, key_id
       FROM audit_events WHERE stream = $1 AND hash IS NOT NULL AND id > $2 ORDER BY id LIMIT $3`,
      [stream, after, pageSize],
    );
    for (const row of rows) {
      yield {
        id: String(row.id), stream: row.stream, prevHash: row.prev_hash, hash: row.hash, occurredAt: (row.occurred_at as Date).toISOString(),
        actor: row.actor, action: row.action, subject: row.subject, outcome: row.outcome, details: row.details,
        idempotencyKey: row.idempotency_key, signature: row.signature, keyId: row.key_id,
      };
    }
    if (rows.length < pageSize) return;
    after = String(rows[rows.length - 1]!.id);
  }
}

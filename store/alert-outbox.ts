import { inTransaction, type Database } from './database';
import { claimWebhookDelivery } from './incidents';

/** An alert group taken in, on its way to its incident's run (migration 0008). */
export interface AlertGroupToSend {
  workflowId: string;
  /** False for a group that has only resolved: it goes to an open incident or nowhere. */
  opens: boolean;
  input: unknown;
  delivery: unknown;
  receivedAt: Date;
}

export interface LeasedAlertGroup extends Omit<AlertGroupToSend, 'receivedAt'> {
  id: string;
  attempts: number;
}

/**
 * Keeps the groups of one post for sending, in one transaction with the claim of its
 * delivery id when it has one: a post is either taken in whole or not at all, and a
 * delivery id seen before (false) keeps nothing.
 */
export async function queueAlertGroups(db: Database, groups: AlertGroupToSend[], claim?: { source: string; deliveryId: string; receivedAt: Date }): Promise<boolean> {
  const insert = (run: Pick<Database, 'query'>) => run.query(
    `INSERT INTO alert_outbox (workflow_id, opens, input, delivery, received_at)
     SELECT * FROM unnest($1::text[], $2::boolean[], $3::jsonb[], $4::jsonb[], $5::timestamptz[])`,
    [groups.map((g) => g.workflowId), groups.map((g) => g.opens), groups.map((g) => JSON.stringify(g.input)), groups.map((g) => JSON.stringify(g.delivery)), groups.map((g) => g.receivedAt)],
  );
  // One statement is its own transaction: Alertmanager's posts (no delivery id) need no more.
  if (!claim) return insert(db).then(() => true);
  return inTransaction(db, async (client) => {
    if (!(await claimWebhookDelivery(client, claim.source, claim.deliveryId, claim.receivedAt))) return false;
    await insert(client);
    return true;
  });
}

/**
 * Up to `limit` groups due for sending, oldest first, leased for `leaseSeconds`: another
 * dispatcher skips them meanwhile, and takes them up if this one dies before it is done.
 * A group whose run has an older group not due (waiting for a retry, or leased by another
 * dispatcher) waits for it, so a run's alerts arrive in the order they came: a `resolved`
 * never overtakes its `firing`.
 */
export async function leaseAlertGroups(db: Database, limit: number, leaseSeconds: number): Promise<LeasedAlertGroup[]> {
  const { rows } = await db.query<{ id: string; workflow_id: string; opens: boolean; input: unknown; delivery: unknown; attempts: number }>(
    `UPDATE alert_outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
     WHERE id IN (
       SELECT id FROM alert_outbox due
       WHERE next_attempt_at <= now()
         AND NOT EXISTS (SELECT 1 FROM alert_outbox older WHERE older.workflow_id = due.workflow_id AND older.id < due.id AND older.next_attempt_at > now())
       ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING id, workflow_id, opens, input, delivery, attempts`,
    [limit, leaseSeconds],
  );
  return rows
    .map((r) => ({ id: r.id, workflowId: r.workflow_id, opens: r.opens, input: r.input, delivery: r.delivery, attempts: r.attempts }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

/** Sent: gone from the outbox. */
export async function forgetAlertGroups(db: Database, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.query('DELETE FROM alert_outbox WHERE id = ANY($1::bigint[])', [ids]);
}

/** Not sent: tried again after `delaySeconds`, with the reason kept beside it for whoever looks. */
export async function retryAlertGroup(db: Database, id: string, reason: string, delaySeconds: number): Promise<void> {
  await db.query('UPDATE alert_outbox SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1', [id, reason.slice(0, 500), delaySeconds]);
}

/** Groups taken in more than `olderThanSeconds` ago and still not sent: what `secops doctor` warns about. */
export async function alertOutboxBacklog(db: Database, olderThanSeconds: number): Promise<{ waiting: number; oldestSeconds: number; lastError?: string }> {
  const { rows } = await db.query<{ waiting: string; oldest_seconds: number | null; last_error: string | null }>(
    `SELECT count(*) AS waiting, EXTRACT(EPOCH FROM now() - min(received_at))::float8 AS oldest_seconds,
            (SELECT last_error FROM alert_outbox WHERE last_error IS NOT NULL ORDER BY id DESC LIMIT 1) AS last_error
     FROM alert_outbox WHERE received_at < now() - make_interval(secs => $1)`,
    [olderThanSeconds],
  );
  const row = rows[0]!;
  return { waiting: Number(row.waiting), oldestSeconds: Math.round(row.oldest_seconds ?? 0), ...(row.last_error && { lastError: row.last_error }) };
}

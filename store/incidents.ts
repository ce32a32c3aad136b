import type { IncidentStatus, IncidentView, TimelineEvent } from '../domain/incident';
import type { Database } from './database';

/** An incident as the store keeps it: the workflow's view, the run that owns it, and when the record last changed. */
export type StoredIncident = IncidentView & { workflowId: string; updatedAt: string; closedAt?: string };

export type NumberedTimelineEvent = TimelineEvent & { seq: number };

const COLUMNS = 'id, workflow_id, title, playbook, severity, priority, status, roles, participants, handoffs, milestones, alert_keys, open_tasks, channel, created_at, updated_at, closed_at';
const MUTABLE = ['title', 'playbook', 'severity', 'priority', 'status', 'roles', 'participants', 'handoffs', 'milestones', 'alert_keys', 'open_tasks', 'channel'];

/**
 * Upserts the workflow's view of its incident. A save that changes nothing (a retried
 * activity) leaves the row alone, updated_at included, so updated_at dates the last real
 * change. created_at is the first save's; closed_at is set by the first save that finds
 * the incident closed and kept by later ones. An id owned by another workflow is refused
 * rather than overwritten: two runs must never share one record.
 */
export async function saveIncident(db: Database, view: IncidentView & { workflowId: string }): Promise<void> {
  const { rowCount } = await db.query(
    `INSERT INTO incidents (id, workflow_id, title, playbook, severity, priority, status, roles, participants, handoffs, milestones, alert_keys, open_tasks, channel, created_at, closed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, CASE WHEN $7 = 'closed' THEN now() END)
     ON CONFLICT (id) DO UPDATE SET ${MUTABLE.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now(),
       closed_at = CASE WHEN EXCLUDED.status = 'closed' THEN coalesce(incidents.closed_at, now()) END
     WHERE incidents.workflow_id = EXCLUDED.workflow_id
       AND (${MUTABLE.map((c) => `incidents.${c}`).join(', ')}) IS DISTINCT FROM (${MUTABLE.map((c) => `EXCLUDED.${c}`).join(', ')})`,
    [view.id, view.workflowId, view.title, view.playbook, view.severity, view.priority, view.status, JSON.stringify(view.roles), JSON.stringify(view.participants),
      JSON.stringify(view.handoffs), JSON.stringify(view.milestones), JSON.stringify(view.alertKeys), JSON.stringify(view.openTasks), view.channel ?? null, view.createdAt],
  );
  if (rowCount) return;
  const owner = await db.query<{ workflow_id: string }>('SELECT workflow_id FROM incidents WHERE id = $1', [view.id]);
  if (owner.rows[0]?.workflow_id !== view.workflowId) throw new Error(`incident ${view.id} belongs to workflow ${owner.rows[0]?.workflow_id}, not ${view.workflowId}`);
}

export async function getIncident(db: Database, id: string): Promise<StoredIncident | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM incidents WHERE id = $1`, [id]);
  return rows[0] ? toIncident(rows[0]) : undefined;
}

export async function findIncidentByWorkflow(db: Database, workflowId: string): Promise<StoredIncident | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM incidents WHERE workflow_id = $1`, [workflowId]);
  return rows[0] ? toIncident(rows[0]) : undefined;
}

/** Newest first; the id breaks ties so pages are stable. */
export async function listIncidents(db: Database, filter: { status?: IncidentStatus; limit: number }): Promise<StoredIncident[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM incidents WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC, id DESC LIMIT $2`,
    [filter.status ?? null, filter.limit],
  );
  return rows.map(toIncident);
}

/**
 * Appends events under the workflow's own numbering; returns how many were new. A retry
 * re-sends seqs already stored and adds nothing. A seq already stored with other content
 * is refused: silently keeping one of two versions would lose a piece of the record, and it
 * means two writers (or a run that restarted its numbering) share the timeline. The
 * incident must have been saved first.
 */
export async function appendTimelineEvents(db: Database, incidentId: string, events: NumberedTimelineEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  // One statement: its snapshot predates its own insert, so `clashing` sees only rows stored before.
  const { rows } = await db.query<{ added: string; clashing: number[] | null }>(
    `WITH given AS (
       SELECT * FROM unnest($2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::jsonb[]) AS g(seq, at, kind, actor, text, data)
     ), added AS (
       INSERT INTO incident_timeline (incident_id, seq, at, kind, actor, text, data)
       SELECT $1, seq, at, kind, actor, text, data FROM given
       ON CONFLICT (incident_id, seq) DO NOTHING RETURNING seq
     )
     SELECT (SELECT count(*) FROM added) AS added,
            (SELECT array_agg(g.seq ORDER BY g.seq) FROM given g JOIN incident_timeline t ON t.incident_id = $1 AND t.seq = g.seq
             WHERE (t.at, t.kind, t.actor, t.text, t.data) IS DISTINCT FROM (g.at, g.kind, g.actor, g.text, g.data)) AS clashing`,
    [incidentId, events.map((e) => e.seq), events.map((e) => e.at), events.map((e) => e.kind), events.map((e) => e.actor), events.map((e) => e.text),
      events.map((e) => (e.data === undefined ? null : JSON.stringify(e.data)))],
  );
  const clashing = rows[0]?.clashing;
  if (clashing?.length) throw new Error(`incident ${incidentId}: timeline event(s) ${clashing.join(', ')} were already recorded with other content`);
  return Number(rows[0]?.added ?? 0);
}

export async function incidentTimeline(db: Database, incidentId: string): Promise<NumberedTimelineEvent[]> {
  const { rows } = await db.query('SELECT seq, at, kind, actor, text, data FROM incident_timeline WHERE incident_id = $1 ORDER BY seq', [incidentId]);
  return rows.map((r) => ({
    seq: r.seq, at: (r.at as Date).toISOString(), kind: r.kind, actor: r.actor, text: r.text, ...(r.data !== null && { data: r.data }),
  }));
}

const DELIVERY_MEMORY = '24 hours';

/**
 * True the first time a (source, delivery id) is seen, false for every repeat: the
 * Standard Webhooks idempotency key. Claim only once the delivery's alerts are safely
 * handed on, or a failed first attempt would turn the sender's retry into a "duplicate".
 * Deliveries older than a day (counted from this one's receipt) are swept as it goes; a
 * replay that old fails the signature's timestamp check anyway.
 */
export async function claimWebhookDelivery(db: Pick<Database, 'query'>, source: string, deliveryId: string, receivedAt: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO webhook_deliveries (source, delivery_id, received_at) VALUES ($1, $2, $3) ON CONFLICT (source, delivery_id) DO NOTHING',
    [source, deliveryId, receivedAt],
  );
  await db.query(`DELETE FROM webhook_deliveries WHERE received_at < $1::timestamptz - interval '${DELIVERY_MEMORY}'`, [receivedAt]);
  return rowCount === 1;
}

function toIncident(row: Record<string, unknown>): StoredIncident {
  return {
    id: row.id as string,
    workflowId: row.workflow_id as string,
    title: row.title as string,
    playbook: row.playbook as string,
    severity: row.severity as StoredIncident['severity'],
    priority: row.priority as StoredIncident['priority'],
    status: row.status as StoredIncident['status'],
    roles: row.roles as StoredIncident['roles'],
    participants: row.participants as StoredIncident['participants'],
    handoffs: row.handoffs as StoredIncident['handoffs'],
    milestones: row.milestones as StoredIncident['milestones'],
    alertKeys: row.alert_keys as string[],
    openTasks: row.open_tasks as StoredIncident['openTasks'],
    ...(row.channel !== null && { channel: row.channel as string }),
    createdAt: (row.created_at as Date).toISOString(),
    updatedAt: (row.updated_at as Date).toISOString(),
    ...(row.closed_at !== null && { closedAt: (row.closed_at as Date).toISOString() }),
  };
}

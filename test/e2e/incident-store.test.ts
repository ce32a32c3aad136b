import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncidentRecordActivities } from '../../activities/incidents/incident-records';
import { verifyAuditTrail } from '../../client/audit-trail';
import { parseConfig } from '../../domain/config';
import { incidentWorkflowId, type IncidentView } from '../../domain/incident';
import { listAuditEvents } from '../../store/audit-events';
import {
  appendTimelineEvents, claimWebhookDelivery, findIncidentByWorkflow, getIncident, incidentTimeline, listIncidents, saveIncident, type NumberedTimelineEvent,
} from '../../store/incidents';
import { migrate } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';

/**
 * The incident's record on real PostgreSQL: what the workflow saves comes back as it was,
 * retried activities add nothing, the timeline cannot be rewritten, a webhook delivery is
 * taken in once, and incident acts chain into an audit stream of their own that verifies.
 */
describe('incident store', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
  });
  afterAll(() => fresh?.drop());

  function view(id: string, overrides: Partial<IncidentView> = {}): IncidentView & { workflowId: string } {
    return {
      id,
      workflowId: incidentWorkflowId(id),
      title: 'Credential leak in CI logs',
      playbook: 'credential-leak',
      severity: 'SEV2',
      priority: 'P2',
      status: 'active',
      roles: { commander: 'slack:UALICE', scribe: 'cli:bob' },
      participants: ['slack:UALICE', 'cli:bob', 'cli:carol'],
      handoffs: [
        { role: 'commander', to: 'cli:bob', by: 'system', at: '2025-03-01T10:00:00.000Z' },
        { role: 'commander', to: 'slack:UALICE', from: 'cli:bob', by: 'cli:bob', at: '2025-03-01T10:05:00.000Z' },
      ],
      milestones: {
        detected: { at: '2025-03-01T09:58:00.000Z', source: 'alertmanager:ci-secret-scan' },
        impactStarted: { at: '2025-03-01T09:30:00.000Z', source: 'slack:UALICE', reason: 'first leaked build' },
      },
      alertKeys: ['{}:{alertname="SecretInLogs"}'],
      channel: id,
      openTasks: [{ taskId: 'revoke-token', title: 'Revoke the leaked token', assignee: 'cli:carol', openedAt: '2025-03-01T10:06:00.000Z' }],
      createdAt: '2025-03-01T10:00:00.000Z',
      ...overrides,
    };
  }

  const event = (seq: number, text: string): NumberedTimelineEvent => ({ seq, at: `2025-03-01T10:0${seq}:00.000Z`, kind: 'note', actor: 'cli:bob', text });

  it('gives back exactly what was saved, by id and by workflow', async () => {
    const saved = view('inc-20250301-credential-leak-a1');
    await saveIncident(fresh.db, saved);
    const { workflowId, ...incident } = saved;
    const stored = await getIncident(fresh.db, saved.id);
    expect(stored).toEqual({ ...incident, workflowId, updatedAt: expect.any(String) });
    expect(stored).not.toHaveProperty('closedAt');
    expect(await findIncidentByWorkflow(fresh.db, workflowId)).toEqual(stored);
    expect(await getIncident(fresh.db, 'inc-20250301-nothing-zz')).toBeUndefined();

    const quiet = view('inc-20250301-no-channel-a1', { channel: undefined, roles: {}, milestones: {}, handoffs: [], openTasks: [] });
    await saveIncident(fresh.db, quiet);
    expect(await getIncident(fresh.db, quiet.id)).not.toHaveProperty('channel');
  });

  it('upserts idempotently: a repeated save changes nothing, a real change lands, closing dates it once', async () => {
    const saved = view('inc-20250301-upsert-a1');
    await saveIncident(fresh.db, saved);
    const first = await getIncident(fresh.db, saved.id);
    await saveIncident(fresh.db, saved);
    expect(await getIncident(fresh.db, saved.id)).toEqual(first);

    await saveIncident(fresh.db, { ...saved, severity: 'SEV1', priority: 'P1', createdAt: '2030-01-01T00:00:00.000Z' });
    const raised = await getIncident(fresh.db, saved.id);
    expect(raised).toMatchObject({ severity: 'SEV1', priority: 'P1', createdAt: saved.createdAt });
    expect(Date.parse(raised!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first!.updatedAt));

    await saveIncident(fresh.db, { ...saved, status: 'closed', openTasks: [] });
    const closed = await getIncident(fresh.db, saved.id);
    expect(closed?.closedAt).toEqual(expect.any(String));
    await saveIncident(fresh.db, { ...saved, status: 'closed', openTasks: [], title: 'Retitled after closing' });
    expect((await getIncident(fresh.db, saved.id))?.closedAt).toBe(closed?.closedAt);
    expect((await fresh.db.query('SELECT count(*)::int AS n FROM incidents WHERE id = $1', [saved.id])).rows[0].n).toBe(1);
  });

  it('refuses a save of the same id by another workflow', async () => {
    const saved = view('inc-20250301-owned-a1');
    await saveIncident(fresh.db, saved);
    await expect(saveIncident(fresh.db, { ...saved, workflowId: 'incident:someone-else', title: 'Hijacked' })).rejects.toThrow(/belongs to workflow incident:inc-20250301-owned-a1/);
    expect((await getIncident(fresh.db, saved.id))?.title).toBe(saved.title);
  });

  it('refuses values outside the domain enumerations', async () => {
    await expect(saveIncident(fresh.db, view('inc-20250301-bad-sev-a1', { severity: 'SEV9' as 'SEV1' }))).rejects.toThrow(/check constraint/);
    await expect(saveIncident(fresh.db, view('inc-20250301-bad-status-a1', { status: 'open' as 'active' }))).rejects.toThrow(/check constraint/);
  });

  it('lists newest first, by status when asked', async () => {
    const db = await freshDatabase();
    try {
      await migrate(db.db);
      await saveIncident(db.db, view('inc-20250301-old-a1', { createdAt: '2025-03-01T08:00:00.000Z' }));
      await saveIncident(db.db, view('inc-20250302-mid-a1', { createdAt: '2025-03-02T08:00:00.000Z', status: 'closed' }));
      await saveIncident(db.db, view('inc-20250303-new-a1', { createdAt: '2025-03-03T08:00:00.000Z', status: 'stable' }));
      const ids = (list: { id: string }[]) => list.map((i) => i.id);
      expect(ids(await listIncidents(db.db, { limit: 10 }))).toEqual(['inc-20250303-new-a1', 'inc-20250302-mid-a1', 'inc-20250301-old-a1']);
      expect(ids(await listIncidents(db.db, { limit: 2 }))).toEqual(['inc-20250303-new-a1', 'inc-20250302-mid-a1']);
      expect(ids(await listIncidents(db.db, { status: 'closed', limit: 10 }))).toEqual(['inc-20250302-mid-a1']);
      expect(ids(await listIncidents(db.db, { status: 'active', limit: 10 }))).toEqual(['inc-20250301-old-a1']);
    } finally {
      await db.drop();
    }
  });

  it('persists an incident with its timeline batch, once per seq: a retry adds nothing, a clash is refused', async () => {
    const id = 'inc-20250301-timeline-a1';
    const withData: NumberedTimelineEvent = { seq: 1, at: '2025-03-01T10:01:00.000Z', kind: 'evidence', actor: 'system', text: 'Evidence kept', data: { path: 'evidence/logs.tar', sha256: 'ab'.repeat(32) } };
    const records = createIncidentRecordActivities(() => fresh.db);
    // The workflow's batches: the row first, then the events; a retried batch adds nothing.
    const batch = (events: NumberedTimelineEvent[]) => records.persistIncident({ view: view(id), workflowId: incidentWorkflowId(id), events });
    expect(await batch([event(0, 'Opened'), withData])).toBe(2);
    expect(await batch([event(0, 'Opened'), withData])).toBe(0);
    expect(await batch([withData, event(2, 'Token revoked')])).toBe(1);
    expect(await batch([])).toBe(0);
    expect(await appendTimelineEvents(fresh.db, id, [])).toBe(0);
    await expect(appendTimelineEvents(fresh.db, id, [event(2, 'Something else')])).rejects.toThrow(/event\(s\) 2 were already recorded with other content/);
    expect(await incidentTimeline(fresh.db, id)).toEqual([event(0, 'Opened'), withData, event(2, 'Token revoked')]);
  });

  it('needs the incident saved before its timeline', async () => {
    await expect(appendTimelineEvents(fresh.db, 'inc-20250301-unsaved-a1', [event(0, 'Opened')])).rejects.toThrow(/foreign key/);
  });

  it('refuses to change, delete or truncate timeline rows', async () => {
    const id = 'inc-20250301-immutable-a1';
    await saveIncident(fresh.db, view(id));
    await appendTimelineEvents(fresh.db, id, [event(0, 'Opened')]);
    await expect(fresh.db.query(`UPDATE incident_timeline SET text = 'Never happened' WHERE incident_id = $1`, [id])).rejects.toThrow(/incident_timeline is append-only/);
    await expect(fresh.db.query('DELETE FROM incident_timeline WHERE incident_id = $1', [id])).rejects.toThrow(/incident_timeline is append-only/);
    await expect(fresh.db.query('TRUNCATE incident_timeline')).rejects.toThrow(/incident_timeline is append-only/);
    await expect(fresh.db.query('DELETE FROM incidents WHERE id = $1', [id])).rejects.toThrow(/foreign key/);
    expect(await incidentTimeline(fresh.db, id)).toEqual([event(0, 'Opened')]);
  });

  it('claims a webhook delivery once, per source, and forgets it after a day', async () => {
    const at = new Date('2025-03-01T10:00:00.000Z');
    expect(await claimWebhookDelivery(fresh.db, 'webhook', 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', at)).toBe(true);
    expect(await claimWebhookDelivery(fresh.db, 'webhook', 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', new Date(at.getTime() + 60_000))).toBe(false);
    expect(await claimWebhookDelivery(fresh.db, 'other-source', 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', at)).toBe(true);

    const dayLater = new Date(at.getTime() + 24 * 3600_000 + 1);
    expect(await claimWebhookDelivery(fresh.db, 'webhook', 'msg_next', dayLater)).toBe(true);
    const { rows } = await fresh.db.query('SELECT source, delivery_id FROM webhook_deliveries ORDER BY source, delivery_id');
    expect(rows).toEqual([{ source: 'webhook', delivery_id: 'msg_next' }]);
  });

  it('writes incident acts to their own audit stream, once per key, and the chain verifies', async () => {
    const id = 'inc-20250301-audited-a1';
    const records = createIncidentRecordActivities(() => fresh.db);
    await records.persistIncident({ view: view(id), workflowId: incidentWorkflowId(id), events: [] });
    const act = {
      actor: 'cli:bob', action: 'assignRole', incidentId: id, outcome: 'allowed' as const, details: { role: 'scribe', to: 'cli:carol' },
      signature: `${'A'.repeat(86)}==`, keyId: `SHA256:${'B'.repeat(43)}`, idempotencyKey: `${id}/act/1`,
    };
    await records.recordIncidentAudit(act);
    await records.recordIncidentAudit(act);
    await records.recordIncidentAudit({ actor: 'cli:mallory', action: 'resolve', incidentId: id, outcome: 'refused', details: { reason: 'not a participant' }, idempotencyKey: `${id}/act/2` });

    const events = await listAuditEvents(fresh.db, { subject: id });
    expect(events.map((e) => [e.actor, e.action, e.outcome, e.details, e.signature, e.keyId])).toEqual([
      ['cli:bob', 'incident.assignRole', 'allowed', { role: 'scribe', to: 'cli:carol' }, act.signature, act.keyId],
      ['cli:mallory', 'incident.resolve', 'refused', { reason: 'not a participant' }, undefined, undefined],
    ]);
    const { rows } = await fresh.db.query<{ stream: string }>('SELECT DISTINCT stream FROM audit_events WHERE subject = $1', [id]);
    expect(rows).toEqual([{ stream: 'incident' }]);

    const verification = await verifyAuditTrail(fresh.db, parseConfig('version: 1\n'));
    expect(verification.broken).toBeUndefined();
    expect(verification.streams).toEqual([{ stream: 'incident', rows: 2, head: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });
});

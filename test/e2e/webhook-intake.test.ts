import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { parseConfig } from '../../domain/config';
import { signStandardWebhook } from '../../domain/standard-webhooks';
import { EVENTS_HOOK } from '../../http/events-hook';
import { incidentIntake } from '../../http/incident-intake';
import { createHttpServer } from '../../http/server';
import { waitUntil } from '../../processes/wait-until';
import { incidentTimeline, listIncidents } from '../../store/incidents';
import { migrate } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { testCliUser } from '../support/test-ballots';
import { startWorkers, type RunningWorkers } from '../support/workers';

/**
 * Signed generic events through http/ and the production intake, on real workers and
 * PostgreSQL: what a sender does wrong or twice changes nothing — no run, no row, no second
 * timeline event — and a resolution alone opens nothing.
 */
describe('POST /hooks/events → incident', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  let fresh: FreshDatabase;
  let workers: RunningWorkers;
  let release: () => void;
  let running: Promise<void>;
  let server: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
    workers = await startWorkers(createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: undefined }), ['control']);
    running = workers.during(() => new Promise<void>((resolve) => (release = resolve)));
    const config = parseConfig(JSON.stringify({
      version: 1, taskQueues: workers.taskQueues,
      approvals: { 'incident.drill': { approvers: { cliUsers: [testCliUser('alice')] }, timeout: '24h' } },
      incidents: { routes: [{ name: 'sso', match: { service: 'sso' }, playbook: 'drill', severity: 'SEV3', input: { steps: 0 } }] },
    }), 'test config');
    server = createHttpServer({ intake: incidentIntake({ client: workers.client, config, db: fresh.db }), webhookSecrets: [secret] });
    const port = await freePort();
    await server.listen({ host: '127.0.0.1', port });
    url = `http://127.0.0.1:${port}${EVENTS_HOOK}`;
  });
  afterAll(async () => {
    await server?.close();
    for await (const run of workers.client.workflow.list({ query: `TaskQueue = '${workers.taskQueues.control}' AND ExecutionStatus = 'Running'` })) {
      await workers.client.workflow.getHandle(run.workflowId).terminate('test over');
    }
    release?.();
    await running;
    await fresh?.drop();
  });

  const post = (id: string, event: Record<string, unknown>) => {
    const body = JSON.stringify(event);
    const timestamp = Math.floor(Date.now() / 1000);
    return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandardWebhook(secret, id, timestamp, body) } });
  };
  const runs = async () => {
    const ids: string[] = [];
    for await (const run of workers.client.workflow.list({ query: `TaskQueue = '${workers.taskQueues.control}'` })) ids.push(run.workflowId);
    return ids.sort();
  };
  const outbox = async () => (await fresh.db.query('SELECT id, workflow_id FROM alert_outbox ORDER BY id')).rows;
  const deliveries = async () => (await fresh.db.query('SELECT delivery_id FROM webhook_deliveries ORDER BY delivery_id')).rows.map((r) => r.delivery_id as string);

  it('opens one incident; a replayed webhook-id is a duplicate and adds nothing', { timeout: 60_000 }, async () => {
    const event = { title: 'Login failures above threshold on sso', dedupKey: 'sso-login-failures', status: 'firing', labels: { service: 'sso' } };
    const first = await post('msg_first', event);
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ status: 'accepted', incidents: [expect.stringMatching(/^incident-alert:/)] });
    await waitUntil('the incident has its alert', async () => {
      const [incident] = await listIncidents(fresh.db, { limit: 5 });
      return incident !== undefined && (await incidentTimeline(fresh.db, incident.id)).some((e) => e.kind === 'alert');
    }, 30_000);

    const replay = await post('msg_first', event);
    expect(replay.status).toBe(202);
    expect(await replay.json()).toMatchObject({ status: 'duplicate', incidents: [] });
    const [incident] = await listIncidents(fresh.db, { limit: 5 });
    expect((await incidentTimeline(fresh.db, incident!.id)).filter((e) => e.kind === 'alert')).toHaveLength(1);
    expect(await listIncidents(fresh.db, { limit: 5 })).toHaveLength(1);
  });

  it('refuses an alert no route takes (422), and a resolution alone opens nothing: no run, no row, no claimed delivery', { timeout: 60_000 }, async () => {
    const before = { runs: await runs(), incidents: await listIncidents(fresh.db, { limit: 50 }), deliveries: await deliveries(), outbox: await outbox() };
    const unrouted = await post('msg_unrouted', { title: 'Disk full on db-3', dedupKey: 'db-3-disk', status: 'firing', labels: { service: 'db' } });
    expect(unrouted.status).toBe(422);
    expect((await unrouted.json() as { error: string }).error).toContain('no incident route matches {"service":"db"}');
    expect(await outbox()).toEqual(before.outbox);
    const resolvedOnly = await post('msg_resolved', { title: 'Login failures on sso-eu', dedupKey: 'sso-eu-login-failures', status: 'resolved', labels: { service: 'sso' } });
    expect(resolvedOnly.status).toBe(202);
    expect(await resolvedOnly.json()).toMatchObject({ status: 'accepted', incidents: [] });
    expect(await runs()).toEqual(before.runs);
    expect(await listIncidents(fresh.db, { limit: 50 })).toEqual(before.incidents);
    // The refused post was not claimed, so the sender may send it again once a route exists.
    expect(await deliveries()).toEqual([...before.deliveries, 'msg_resolved'].sort());
  });
});

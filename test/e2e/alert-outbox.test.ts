import Docker from 'dockerode';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { startAlertDispatcher } from '../../client/alert-dispatcher';
import { alertWorkflowId, receiveAlerts } from '../../client/alert-intake';
import type { Alert } from '../../domain/alert';
import { parseConfig, type Config } from '../../domain/config';
import { waitUntil } from '../../processes/wait-until';
import { forgetAlertGroups, leaseAlertGroups, queueAlertGroups, retryAlertGroup } from '../../store/alert-outbox';
import { incidentTimeline, listIncidents } from '../../store/incidents';
import { migrate } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { testCliUser } from '../support/test-ballots';
import { startWorkers, type RunningWorkers } from '../support/workers';

/**
 * The intake answers once a post is in the store's outbox; the dispatcher sends it on. With
 * Temporal unreachable the alert is kept, not lost, and opens its incident once a dispatcher
 * that reaches Temporal takes it up; a group sent twice (a dispatcher that died before
 * forgetting it) lands on the timeline once.
 */
describe('alert outbox', () => {
  let fresh: FreshDatabase;
  let workers: RunningWorkers;
  let release: () => void;
  let running: Promise<void>;
  let config: Config;

  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
    workers = await startWorkers(createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: undefined }), ['control']);
    running = workers.during(() => new Promise<void>((resolve) => (release = resolve)));
    config = parseConfig(JSON.stringify({
      version: 1, taskQueues: workers.taskQueues,
      approvals: { 'incident.drill': { approvers: { cliUsers: [testCliUser('alice')] }, timeout: '24h' } },
      incidents: { routes: [{ name: 'sso', match: { service: 'sso' }, playbook: 'drill', severity: 'SEV3', input: { steps: 0 } }] },
    }), 'test config');
  });
  afterAll(async () => {
    for await (const run of workers.client.workflow.list({ query: `TaskQueue = '${workers.taskQueues.control}' AND ExecutionStatus = 'Running'` })) {
      await workers.client.workflow.getHandle(run.workflowId).terminate('test over');
    }
    release?.();
    await running;
    await fresh?.drop();
  });

  const alert = (dedupKey: string): Alert => ({ source: 'alertmanager', dedupKey, status: 'firing', title: `Login failures on ${dedupKey}`, labels: { service: 'sso' }, annotations: {} });
  const outbox = async () => (await fresh.db.query<{ id: string; workflow_id: string; attempts: number; last_error: string | null }>('SELECT id, workflow_id, attempts, last_error FROM alert_outbox ORDER BY id')).rows;

  it('keeps an alert taken in while Temporal is unreachable, and opens its incident once a dispatcher reaches it', { timeout: 60_000 }, async () => {
    // A client of a server that is not there: every send fails as it would during an outage.
    // No gRPC retry interceptor: each send fails at once instead of after the SDK's own retries.
    const unreachable = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: '1s', interceptors: [] }) });
    const failing = startAlertDispatcher({ client: unreachable, config, db: fresh.db });
    const result = await receiveAlerts({ config, db: fresh.db, queued: failing.wake }, [alert('sso-eu')], { receivedAt: new Date() });
    expect(result).toEqual({ status: 'accepted', incidents: [alertWorkflowId(alert('sso-eu'))] });
    await waitUntil('the failed send is recorded', async () => (await outbox()).some((row) => row.last_error !== null), 30_000);
    await failing.stop();
    const [kept] = await outbox();
    expect(kept).toMatchObject({ workflow_id: alertWorkflowId(alert('sso-eu')), attempts: 1 });
    expect(await listIncidents(fresh.db, { limit: 5 })).toEqual([]);

    // The retry is due later; the next dispatcher (a restarted receiver) takes it up when it is.
    await fresh.db.query('UPDATE alert_outbox SET next_attempt_at = now()');
    const working = startAlertDispatcher({ client: workers.client, config, db: fresh.db });
    try {
      await waitUntil('the incident has its alert', async () => {
        const [incident] = await listIncidents(fresh.db, { limit: 5 });
        return incident !== undefined && (await incidentTimeline(fresh.db, incident.id)).some((e) => e.kind === 'alert');
      }, 30_000);
      expect(await outbox()).toEqual([]);
    } finally {
      await working.stop();
    }
  });

  it('never leases a run\'s group ahead of an older one still waiting for its retry, nor one another dispatcher holds', async () => {
    const group = (workflowId: string) => ({ workflowId, opens: true, input: {}, delivery: {}, receivedAt: new Date() });
    await queueAlertGroups(fresh.db, [group('incident-alert:ordered'), group('incident-alert:other')]);
    const [first] = await leaseAlertGroups(fresh.db, 1, 60);
    expect(first!.workflowId).toBe('incident-alert:ordered');
    // Sending it failed: it waits for its retry; then the run's next alert comes in.
    await retryAlertGroup(fresh.db, first!.id, 'UNAVAILABLE', 30);
    await queueAlertGroups(fresh.db, [group('incident-alert:ordered')]);
    expect((await leaseAlertGroups(fresh.db, 10, 60)).map((g) => g.workflowId)).toEqual(['incident-alert:other']);
    // Once the first is due again, both go, oldest first.
    await fresh.db.query(`UPDATE alert_outbox SET next_attempt_at = now() WHERE workflow_id = 'incident-alert:ordered'`);
    const both = await leaseAlertGroups(fresh.db, 10, 60);
    expect(both.map((g) => [g.workflowId, g.id])).toEqual([['incident-alert:ordered', first!.id], ['incident-alert:ordered', expect.any(String)]]);
    await forgetAlertGroups(fresh.db, (await outbox()).map((row) => row.id));
  });

  it('puts a group sent twice on the timeline once', { timeout: 60_000 }, async () => {
    await receiveAlerts({ config, db: fresh.db }, [alert('sso-us')], { receivedAt: new Date() });
    const [queued] = await fresh.db.query<{ id: string; workflow_id: string; opens: boolean; input: unknown; delivery: unknown; received_at: Date }>('SELECT * FROM alert_outbox').then((r) => r.rows);
    const dispatcher = startAlertDispatcher({ client: workers.client, config, db: fresh.db });
    try {
      await waitUntil('sent and forgotten', async () => (await outbox()).length === 0, 30_000);
      // As if the dispatcher had died after sending and before forgetting: the same row again.
      await fresh.db.query('INSERT INTO alert_outbox (id, workflow_id, opens, input, delivery, received_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [queued!.id, queued!.workflow_id, queued!.opens, JSON.stringify(queued!.input), JSON.stringify(queued!.delivery), queued!.received_at]);
      dispatcher.wake();
      await waitUntil('sent again and forgotten', async () => (await outbox()).length === 0, 30_000);
    } finally {
      await dispatcher.stop();
    }
    const handle = workers.client.workflow.getHandle(queued!.workflow_id);
    await waitUntil('the alert is on the stored timeline', async () => {
      const incident = (await listIncidents(fresh.db, { limit: 5 })).find((i) => i.workflowId === queued!.workflow_id);
      return incident !== undefined && (await incidentTimeline(fresh.db, incident.id)).some((e) => e.kind === 'alert');
    }, 30_000);
    const history = await handle.fetchHistory();
    expect(history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(2);
    const incident = (await listIncidents(fresh.db, { limit: 5 })).find((i) => i.workflowId === queued!.workflow_id)!;
    expect((await incidentTimeline(fresh.db, incident.id)).filter((e) => e.kind === 'alert')).toHaveLength(1);
  });
});

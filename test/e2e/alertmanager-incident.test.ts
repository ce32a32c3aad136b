import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { parseConfig, type Config } from '../../domain/config';
import { incidentIntake } from '../../http/incident-intake';
import { ALERTMANAGER_HOOK } from '../../http/alertmanager-hook';
import { createHttpServer } from '../../http/server';
import { waitUntil } from '../../processes/wait-until';
import { incidentTimeline, listIncidents, type StoredIncident } from '../../store/incidents';
import { migrate } from '../../store/migrations';
import { firingRule, startAlertingStack, type AlertingStack } from '../support/alerting';
import { ALERTMANAGER_WEBHOOK } from '../support/alertmanager-fixture';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { testCliUser } from '../support/test-ballots';
import { startWorkers, type RunningWorkers } from '../support/workers';

/**
 * A real Prometheus rule fires, the real Alertmanager posts it to our receiver (http/ with the
 * production intake), and an incident opens on real workers and PostgreSQL. Alertmanager
 * repeats the notification every two seconds, with no delivery id: each repeat must reach the
 * one open incident, also across a restart of the receiver.
 */
describe('Alertmanager → http/ → incident', () => {
  const token = randomBytes(32).toString('hex');
  const artifacts = mkdtempSync(join(tmpdir(), 'secops-alert-incident-'));
  const logs: string[] = [];
  let fresh: FreshDatabase;
  let workers: RunningWorkers;
  let release: () => void;
  let running: Promise<void>;
  let config: Config;
  let port: number;
  let receiver: FastifyInstance;
  let stack: AlertingStack;

  async function listen(): Promise<FastifyInstance> {
    const app = createHttpServer({ intake: incidentIntake({ client: workers.client, config, db: fresh.db }), alertmanagerToken: token, webhookSecrets: [], logger: (line) => logs.push(line) });
    await app.listen({ host: '127.0.0.1', port });
    return app;
  }

  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
    workers = await startWorkers(createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: undefined, incidentArtifactsDir: artifacts }), ['control']);
    // The workers poll until afterAll: every test of this file runs against them.
    running = workers.during(() => new Promise<void>((resolve) => (release = resolve)));
    config = parseConfig(JSON.stringify({
      version: 1,
      taskQueues: workers.taskQueues,
      approvals: { 'incident.drill': { approvers: { cliUsers: [testCliUser('alice')] } } },
      incidents: { routes: [{ name: 'demo-down', match: { alertname: 'DemoServiceDown', service: 'demo' }, playbook: 'drill', severity: 'SEV3', input: { steps: 0 } }] },
    }), 'test config');
    port = await freePort();
    receiver = await listen();
    stack = await startAlertingStack({
      webhookUrl: `http://127.0.0.1:${port}${ALERTMANAGER_HOOK}`, bearerToken: token, rules: [firingRule()], groupInterval: '1s', repeatInterval: '2s',
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
    for await (const run of workers.client.workflow.list({ query: `TaskQueue = '${workers.taskQueues.control}' AND ExecutionStatus = 'Running'` })) {
      await workers.client.workflow.getHandle(run.workflowId).terminate('test over');
    }
    release?.();
    await running;
    await fresh?.drop();
    rmSync(artifacts, { recursive: true, force: true });
  });

  const incidents = () => listIncidents(fresh.db, { limit: 10 });
  const alertEvents = async (incident: StoredIncident) => (await incidentTimeline(fresh.db, incident.id)).filter((event) => event.kind === 'alert');

  async function incidentRuns(): Promise<string[]> {
    const ids: string[] = [];
    for await (const run of workers.client.workflow.list({ query: `TaskQueue = '${workers.taskQueues.control}' AND WorkflowId STARTS_WITH 'incident-alert:'` })) ids.push(run.workflowId);
    return ids;
  }

  /** Alertmanager's own count of webhook posts that failed. */
  async function failedPosts(): Promise<number> {
    const metrics = await (await fetch(`${stack.alertmanagerUrl}/metrics`)).text();
    const line = metrics.split('\n').find((candidate) => candidate.startsWith('alertmanager_notification_requests_failed_total{integration="webhook"} '));
    return Number(line?.split(' ')[1] ?? 0);
  }

  /** Waits until the one incident has `count` alert events, failing with both sides' logs. */
  async function untilAlertEvents(count: number): Promise<StoredIncident> {
    let incident: StoredIncident | undefined;
    await waitUntil(`${count} alert event(s) on the incident's timeline`, async () => {
      [incident] = await incidents();
      return incident !== undefined && (await alertEvents(incident)).length >= count;
    }, 20_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${logs.join('\n')}\n${stack.logTail()}`);
    });
    return incident!;
  }

  it('opens one incident with the route\'s playbook and severity, the alert on its timeline', async () => {
    const incident = await untilAlertEvents(1);
    expect(await incidents()).toHaveLength(1);
    expect(incident).toMatchObject({ title: 'demo service is down', playbook: 'drill', severity: 'SEV3', status: 'active', workflowId: expect.stringMatching(/^incident-alert:[0-9a-f]{32}$/) });
    // The run saves the incident after putting the alerts on its timeline.
    await waitUntil('the alert group kept on the incident', async () => (await incidents())[0]!.alertKeys.length > 0, 10_000);
    expect((await incidents())[0]!.alertKeys).toEqual([expect.stringContaining('DemoServiceDown')]);
    const [first] = await alertEvents(incident);
    expect(first).toMatchObject({ actor: 'alertmanager', text: 'firing: demo service is down', data: { fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) } });
    const timeline = await incidentTimeline(fresh.db, incident.id);
    expect(timeline[0]).toMatchObject({ kind: 'created', actor: 'alertmanager' });
  });

  it('files Alertmanager\'s repeats under the same incident, each on its timeline', async () => {
    const before = (await alertEvents((await incidents())[0]!)).length;
    const incident = await untilAlertEvents(before + 2);
    expect(await incidents()).toEqual([expect.objectContaining({ id: incident.id })]);
    await waitUntil('the incident run is visible', async () => (await incidentRuns()).length > 0, 15_000);
    expect(await incidentRuns()).toEqual([incident.workflowId]);
  });

  it('keeps one incident when the receiver restarts while Alertmanager keeps posting', async () => {
    const [incident] = await incidents();
    const failedBefore = await failedPosts();
    await receiver.close();
    // Down for more than a repeat: Alertmanager's posts fail meanwhile and are sent again once we are back.
    await waitUntil('a post Alertmanager could not deliver', async () => (await failedPosts()) > failedBefore, 15_000);
    receiver = await listen();
    const before = (await alertEvents(incident!)).length;
    await untilAlertEvents(before + 2);
    expect((await incidents()).map((i) => i.id)).toEqual([incident!.id]);
    expect(await incidentRuns()).toEqual([incident!.workflowId]);
  });

  it('refuses alerts no route takes with 422 and the reason, and opens nothing', async () => {
    const response = await fetch(`http://127.0.0.1:${port}${ALERTMANAGER_HOOK}`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: ALERTMANAGER_WEBHOOK,
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: string; problems: { path: string; message: string }[] };
    expect(body.error).toContain('no incident route matches');
    expect(body.problems).toEqual([{ path: 'labels', message: expect.stringContaining('"alertname":"HighErrorRate"') }]);
    expect(logs.at(-1)).toBe('http: refused 2 alertmanager alert(s) (422): alert is invalid at labels');
    expect(await incidents()).toHaveLength(1);
  });
});

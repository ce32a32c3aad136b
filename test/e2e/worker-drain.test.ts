import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { LABELS } from '../../activities/scanners/container-spec';
import { parseConfig } from '../../domain/config';
import { dastScanInput, type DastScanResult } from '../../domain/dast';
import type { CheckResult, PreflightReport } from '../../domain/preflight';
import type { TaskQueueNames, WorkerRole } from '../../domain/task-queues';
import { migrate } from '../../store/migrations';
import { createWorkers } from '../../worker/create-workers';
import { bundleWorkflows } from '../../worker/workflow-bundle';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { spawnEntry } from '../support/run-cli';
import { WAPITI_IMAGE } from '../support/scanner-images';
import { devServerClient, uniqueTaskQueues } from '../support/workers';
import { preflight } from '../../workflows/preflight';
import { dastScan } from '../../workflows/dast-scan';

/**
 * A loopback HTTP server that holds every request until released: whatever activity is
 * waiting on it stays in flight meanwhile. `answer` is what each request then gets.
 */
async function startHeldServer(answer: { type: string; body: string }) {
  let arrive!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    request.resume();
    arrive();
    void released.then(() => response.writeHead(200, { 'content-type': answer.type }).end(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    /** The first request came in. */
    arrived,
    release,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** worker/main.ts as deployed, with its output collected and its drain observable. */
function spawnWorker(role: WorkerRole, env: NodeJS.ProcessEnv) {
  // INFO: the worker's state changes are the events the tests wait for.
  const child = spawnEntry(['worker/main.ts', '--role', role], { TEMPORAL_NAMESPACE: 'default', SECOPS_LOG_LEVEL: 'INFO', SECOPS_CODEC_KEYS: '', ...env });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const printed = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (pattern.test(output) ? resolve() : undefined);
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      void exited.then(() => reject(new Error(`worker exited before printing ${pattern}:\n${output}`)));
      check();
    });
  return {
    child,
    exited,
    output: () => output,
    polling: () => printed(/worker: polling /),
    /** The SDK's own word that shutdown began and it now waits for in-flight tasks. */
    draining: (taskQueue: string) => printed(new RegExp(`Worker state changed [^}]*taskQueue: '${taskQueue}'[^}]*state: 'DRAINING'`)),
  };
}

let bundle: ReturnType<typeof bundleWorkflows> | undefined;

/** In-process workers of these task queues, through the production createWorkers. */
async function inProcessWorkers(taskQueues: TaskQueueNames, roles: WorkerRole[], store?: FreshDatabase) {
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const workers: Worker[] = await createWorkers({
    connection,
    namespace: 'default',
    roles,
    taskQueues,
    activities: createActivities({ docker: new Docker(), store: store && { db: store.db, url: store.url }, slack: undefined, temporalAddress: inject('temporalAddress') }),
    workflowBundle: await (bundle ??= bundleWorkflows()),
  });
  const running = Promise.all(workers.map((worker) => worker.run()));
  return {
    async stop() {
      workers.forEach((worker) => worker.shutdown());
      await running;
      await connection.close();
    },
  };
}

describe('worker process drain on SIGTERM (worker/main.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secops-drain-'));
  const cleanups: (() => Promise<unknown>)[] = [];
  let client: Awaited<ReturnType<typeof devServerClient>>;
  beforeAll(async () => {
    client = await devServerClient();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await client?.connection.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(taskQueues: TaskQueueNames, rest = ''): string {
    const path = join(dir, `${taskQueues.control}.yaml`);
    writeFileSync(path, `version: 1\ntaskQueues: { control: ${taskQueues.control}, scanners: ${taskQueues.scanners} }\n${rest}`);
    return path;
  }

  it('control role: the Slack check in flight finishes, its result is recorded, then the worker exits 0', { timeout: 120_000 }, async () => {
    const taskQueues = uniqueTaskQueues();
    const slackApi = await startHeldServer({
      type: 'application/json',
      body: JSON.stringify({ ok: true, team: 'Drain Test Team', team_id: 'T0DRAIN', user: 'drain-bot', user_id: 'U0DRAIN' }),
    });
    cleanups.push(() => slackApi.close());
    // The preflight's Docker checks run on the scanner queue: served here, so that only the
    // process under test serves the control queue (the workflow and the Slack check).
    const scanners = await inProcessWorkers(taskQueues, ['scanners']);
    cleanups.push(() => scanners.stop());
    const worker = spawnWorker('control', {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      SECOPS_CONFIG: writeConfig(taskQueues),
      SLACK_BOT_TOKEN: 'test-bot-token-drain',
      SLACK_SIGNING_SECRET: 'drain-test-signing-secret',
      SLACK_API_URL: `${slackApi.url}api/`,
      DATABASE_URL: '',
    });
    cleanups.push(async () => worker.child.kill('SIGKILL'));
    await worker.polling();

    const handle = await client.workflow.start(preflight, {
      taskQueue: taskQueues.control,
      workflowId: `drain-preflight-${randomUUID()}`,
      args: [{ taskQueues, scannerImages: [WAPITI_IMAGE] }],
    });
    await slackApi.arrived;
    worker.child.kill('SIGTERM');
    await worker.draining(taskQueues.control);
    slackApi.release();
    expect(await worker.exited, worker.output()).toBe(0);
    expect(worker.output()).toMatch(/worker: stopped\s*$/);

    // The workflow's next task needs a control worker: a fresh one finishes it with the
    // answer the drained worker recorded, without running the Slack check again.
    const control = await inProcessWorkers(taskQueues, ['control']);
    cleanups.push(() => control.stop());
    const report: PreflightReport = await handle.result();
    expect(report.checks.map((check: CheckResult) => [check.check, check.status, check.check === 'slack' ? check.detail : ''])).toEqual([
      ['docker', 'ok', ''], ['scanner images', 'ok', ''], ['store', 'failed', ''], ['slack', 'ok', 'connected to Drain Test Team as drain-bot'],
    ]);
    expect(slackApi.requests).toEqual(['/api/auth.test']);
  });

  it('scanners role: the scan in flight is not cancelled but finishes, its report is ingested, then the worker exits 0', { timeout: 180_000 }, async () => {
    const docker = new Docker();
    const store = await freshDatabase();
    cleanups.push(() => store.drop());
    await migrate(store.db);
    // A page without security headers: Wapiti's http_headers module reports each, quickly.
    const site = await startHeldServer({ type: 'text/html', body: '<html><body><h1>held</h1></body></html>' });
    cleanups.push(() => site.close());
    const taskQueues = uniqueTaskQueues();
    const yaml = `artifactsDir: ${join(dir, 'artifacts')}
targets:
  - { id: held, url: "${site.url}", engine: wapiti, wapitiModules: [http_headers], scope: { hosts: [127.0.0.1] }, maxScanMinutes: 2 }
`;
    const configPath = writeConfig(taskQueues, yaml);
    const config = parseConfig(`version: 1\ntaskQueues: { control: ${taskQueues.control}, scanners: ${taskQueues.scanners} }\n${yaml}`);
    const control = await inProcessWorkers(taskQueues, ['control'], store);
    cleanups.push(() => control.stop());
    const worker = spawnWorker('scanners', { TEMPORAL_ADDRESS: inject('temporalAddress'), SECOPS_CONFIG: configPath, DATABASE_URL: '' });
    cleanups.push(async () => worker.child.kill('SIGKILL'));
    await worker.polling();

    const workflowId = `dast:held:drain-${randomUUID().slice(0, 8)}`;
    const handle = await client.workflow.start(dastScan, { taskQueue: taskQueues.control, workflowId, args: [dastScanInput(config, config.targets[0]!, 'cli:e2e')] });
    // Wapiti's first request: the scanner container runs, its activity is in flight.
    await site.arrived;
    worker.child.kill('SIGTERM');
    await worker.draining(taskQueues.scanners);
    site.release();
    expect(await worker.exited, worker.output()).toBe(0);
    expect(worker.output()).toMatch(/worker: stopped\s*$/);

    const result = (await handle.result()) as DastScanResult;
    // One finding per missing header (domain/weakness-split.ts): the page sends none of the four Wapiti checks.
    expect(result, worker.output()).toMatchObject({ scanId: workflowId, targetId: 'held', findings: 4, counts: { info: 0, low: 4, medium: 0, high: 0, critical: 0 } });
    const history = await handle.fetchHistory();
    const scannerAttempts = (history.events ?? []).flatMap((event) => event.activityTaskStartedEventAttributes?.attempt ?? []);
    // The drained worker's run was the only one: no retry after a cancellation.
    expect(scannerAttempts).toEqual([1]);
    const { rows } = await store.db.query('SELECT status FROM scans WHERE id = $1', [workflowId]);
    expect(rows).toEqual([{ status: 'completed' }]);
    expect(await docker.listContainers({ all: true, filters: { label: [`${LABELS.workflowId}=${workflowId}`] } })).toEqual([]);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startProcess } from '../processes/child-process';
import { freePort } from '../processes/port';
import { waitUntil } from '../processes/wait-until';
import { migrate } from '../store/migrations';
import { freshDatabase } from '../test/support/database';
import { testCliUser } from '../test/support/test-ballots';
import { startControlWorker } from './control-worker';
import { startDevServer } from './dev-server';
import { reportBenchmark } from './results-file';
import { percentile } from './statistics';

const GROUPS = 100;
const POSTS_PER_GROUP = 10;
const SENDERS = 10;
/** Posts no route takes (422): they warm the receiver's parsing and authentication, and open nothing. */
const WARM_UP = 20;
const SETTLE_MS = 120_000;

/**
 * alert-ingest (BENCHMARKS.md): 1,000 Alertmanager notifications posted over loopback to
 * http/main.ts running as its own process (the production entry, bearer token and all), 100
 * alert groups of 10 notifications each, interleaved (every group once, then every group
 * again …), by 10 concurrent senders; one dev server and one control worker
 * (worker/main.ts as its own process, PostgreSQL store). ack = request sent → 2xx.
 * incidents_created counts the store's incidents once every notification has reached its
 * incident's timeline: signal-with-start must have folded each group's ten into one.
 */
export async function alertIngest(): Promise<void> {
  const server = await startDevServer();
  const { address } = server;
  const fresh = await freshDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'secops-bench-alerts-'));
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    await migrate(fresh.db);
    const taskQueues = { control: 'bench-control', scanners: 'bench-scanners' };
    const port = await freePort();
    const token = randomBytes(32).toString('hex');
    const configPath = join(dir, 'secops.config.yaml');
    writeFileSync(configPath, JSON.stringify({
      version: 1, taskQueues, http: { listen: `127.0.0.1:${port}` }, artifactsDir: join(dir, 'artifacts'),
      approvals: { 'incident.drill': { approvers: { cliUsers: [testCliUser('bench')] } } },
      incidents: { routes: [{ name: 'bench', match: { alertname: 'BenchAlert' }, playbook: 'drill', input: { steps: 0 } }] },
    }));
    const processEnv = { ...process.env, SECOPS_LOG_LEVEL: 'WARN', SECOPS_CONFIG: configPath, TEMPORAL_ADDRESS: address, DATABASE_URL: fresh.url };
    const worker = await startControlWorker(processEnv);
    cleanups.push(() => worker.stop());

    let output = '';
    const http = startProcess('http', process.execPath, ['--import', 'tsx', join(__dirname, '..', 'http', 'main.ts')], {
      env: { ...processEnv, SECOPS_ALERTMANAGER_TOKEN: token },
      log: (line) => (output += `${line}\n`),
    });
    cleanups.push(() => http.stop());
    await waitUntil('http/main.ts listening', async () => output.includes('listening'), 60_000, http.exited);

    const post = (body: string) => fetch(`http://127.0.0.1:${port}/hooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    for (let i = 0; i < WARM_UP; i++) {
      const response = await post(notification('WarmUp', i));
      if (response.status !== 422) throw new Error(`warm-up post ${i}: HTTP ${response.status} (expected 422: no route)\n${output}`);
      await response.arrayBuffer();
    }

    const bodies = Array.from({ length: GROUPS * POSTS_PER_GROUP }, (_, i) => notification('BenchAlert', i % GROUPS));
    const ack: number[] = [];
    let next = 0;
    const sender = async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const sent = performance.now();
        const response = await post(body);
        ack.push(performance.now() - sent);
        if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${await response.text()}\n${output}`);
        await response.arrayBuffer();
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: SENDERS }, sender));
    const sendSeconds = (performance.now() - started) / 1000;

    const alertEvents = async () => Number((await fresh.db.query<{ n: string }>("SELECT count(*) AS n FROM incident_timeline WHERE kind = 'alert'")).rows[0]!.n);
    // A worker that falls behind is a finding, not a reason to lose the figures: the shortfall is reported.
    const settled = await waitUntil('every notification on its incident\'s timeline', async () => (await alertEvents()) >= bodies.length, SETTLE_MS).then(() => true, () => false);
    const incidents = Number((await fresh.db.query<{ n: string }>('SELECT count(*) AS n FROM incidents')).rows[0]!.n);
    const client = new Client({ connection: await Connection.connect({ address }) });
    cleanups.push(() => client.connection.close());
    const recorded = await alertEvents();
    const runs = (await client.workflow.count(`WorkflowId STARTS_WITH 'incident-alert:'`)).count;

    reportBenchmark('alert-ingest', {
      figures: {
        ack_ms_p50: percentile(ack, 50),
        ack_ms_p99: percentile(ack, 99),
        ack_ms_max: Math.max(...ack),
        incidents_created: incidents,
        incident_runs: runs,
        alert_events_recorded: recorded,
        posts_per_second: bodies.length / sendSeconds,
      },
      goals: { ack_ms_p99: 50, incidents_created: GROUPS }, // BENCHMARKS.md
      notes: `${settled ? '' : `NOT SETTLED: only ${recorded} of ${bodies.length} notifications reached a timeline within ${SETTLE_MS / 1000} s. `}${bodies.length} Alertmanager notifications (${GROUPS} groups × ${POSTS_PER_GROUP}, interleaved) by ${SENDERS} concurrent senders over keep-alive loopback, after ${WARM_UP} unrouted warm-up posts; http/main.ts as its own process (bearer token, parse, route, the post kept in the store's outbox; its dispatcher signals-with-start incidentResponse), one control worker (worker/main.ts, its own process, PostgreSQL store), the senders in the benchmark process, one dev server`,
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await fresh.drop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An Alertmanager webhook (payload version 4) for the group `alertname`/`shard`, one firing alert. */
function notification(alertname: string, shard: number): string {
  const labels = { alertname, shard: String(shard), severity: 'critical' };
  return JSON.stringify({
    version: '4', groupKey: `{}:{alertname="${alertname}", shard="${shard}"}`, truncatedAlerts: 0, status: 'firing', receiver: 'secops',
    groupLabels: { alertname, shard: String(shard) }, commonLabels: labels, commonAnnotations: { summary: `${alertname} on shard ${shard}` }, externalURL: 'http://127.0.0.1:9093',
    alerts: [{
      status: 'firing', labels, annotations: { summary: `${alertname} on shard ${shard}` }, startsAt: '2025-01-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://127.0.0.1:9090/graph', fingerprint: shard.toString(16).padStart(16, '0'),
    }],
  });
}

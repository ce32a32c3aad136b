import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startProcess } from '../processes/child-process';
import { freePort } from '../processes/port';
import { waitUntil } from '../processes/wait-until';
import { dastScanInput } from '../domain/dast';
import { APPROVAL_ACTIONS } from '../render/slack/approval-request';
import { pendingApprovalsQuery } from '../workflows/approval';
import { dastScan } from '../workflows/dast-scan';
import { migrate } from '../store/migrations';
import { freshDatabase } from '../test/support/database';
import { startSlackApiServer } from '../test/support/slack-api-server';
import {
  approvalConfig, APPROVALS, APPROVALS_CHANNEL, BOT_TOKEN, buttonClick, postToSlackApp, SIGNING_SECRET, startSlackWorkers,
} from '../test/support/slack-app-harness';
import { SLACK_APP_KEY, testKeyPem } from '../test/support/test-ballots';
import { startDevServer } from './dev-server';
import { reportBenchmark } from './results-file';

const CLICKS = 200;
const WARM_UP = 5;

/**
 * approval-latency (BENCHMARKS.md): 200 sequential approval clicks, each a correctly signed
 * `block_actions` request over loopback to the running Slack app process (slack-app/main.ts),
 * each against its own pending approval (the production dastScan at its active-scan gate).
 * ack = request sent → HTTP response; applied = request sent → the workflow's
 * `pendingApprovals` Query no longer lists the approval. Between clicks the approved run is
 * let finish (its scan fails at once: the scanner image is absent on purpose), so one
 * run's tail does not land in the next click's figures.
 */
export async function approvalLatency(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startDevServer();
  const { address } = server;
  const [api, fresh] = await Promise.all([startSlackApiServer({ botToken: BOT_TOKEN, channels: [APPROVALS] }), freshDatabase()]);
  const dir = mkdtempSync(join(tmpdir(), 'secops-bench-approvals-'));
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    await migrate(fresh.db);
    const config = approvalConfig({ taskQueues: { control: 'bench-control', scanners: 'bench-scanners' }, targetId: 'bench-target', targetPort: await freePort(), policy: { approvers: { users: ['UAPPROVER1'] } } });
    const workers = await startSlackWorkers({ address, api, store: { db: fresh.db, url: fresh.url }, taskQueues: config.taskQueues });
    cleanups.push(() => workers.stop());
    const client = new Client({ connection: await Connection.connect({ address }) });
    cleanups.push(() => client.connection.close());

    const slackPort = await freePort();
    writeFileSync(join(dir, 'secops.config.yaml'), JSON.stringify(config));
    let appOutput = '';
    const app = startProcess('slack-app', process.execPath, ['--import', 'tsx', join(__dirname, '..', 'slack-app', 'main.ts')], {
      env: {
        ...process.env, SECOPS_LOG_LEVEL: 'WARN', SECOPS_CONFIG: join(dir, 'secops.config.yaml'), TEMPORAL_ADDRESS: address, DATABASE_URL: fresh.url,
        SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: api.url, SLACK_PORT: String(slackPort),
        // Votes are signed by the app and verified by the gate: the figures include both.
        SECOPS_SLACK_BALLOT_KEY: testKeyPem(SLACK_APP_KEY),
      },
      log: (line) => (appOutput += `${line}\n`),
    });
    cleanups.push(() => app.stop());
    await waitUntil('slack app', async () => appOutput.includes('listening'), 60_000, app.exited);
    const url = `http://127.0.0.1:${slackPort}/slack/events`;

    const target = config.targets[0]!;
    const handles: WorkflowHandleWithFirstExecutionRunId[] = [];
    for (let i = 0; i < WARM_UP + CLICKS; i += 20) {
      handles.push(...(await Promise.all(Array.from({ length: Math.min(20, WARM_UP + CLICKS - i) }, (_, j) =>
        client.workflow.start(dastScan, { taskQueue: config.taskQueues.control, workflowId: `dast:bench-target:bench-${i + j}`, args: [dastScanInput(config, target, 'slack:UREQUESTER')] })))));
    }
    await waitUntil('every approval request is posted', async () => api.callsTo('chat.postMessage').length >= handles.length, 120_000);

    const ack: number[] = [];
    const applied: number[] = [];
    for (const [index, handle] of handles.entries()) {
      const approvalId = `${handle.workflowId}#1@${handle.firstExecutionRunId}`;
      const request = buttonClick({ actionId: APPROVAL_ACTIONS.approve, value: approvalId, user: 'UAPPROVER1', triggerId: api.triggerId(), channel: APPROVALS_CHANNEL });
      const sent = performance.now();
      const response = await postToSlackApp(url, request);
      const acked = performance.now();
      if (response.status !== 200) throw new Error(`click ${index}: HTTP ${response.status}`);
      await response.arrayBuffer();
      await untilDecided(handle, approvalId);
      const done = performance.now();
      if (index >= WARM_UP) {
        ack.push(acked - sent);
        applied.push(done - sent);
      }
      await handle.result().catch(() => undefined);
    }

    reportBenchmark('approval-latency', {
      figures: {
        ack_ms_p50: percentile(ack, 50),
        ack_ms_p99: percentile(ack, 99),
        applied_ms_p50: percentile(applied, 50),
        applied_ms_p99: percentile(applied, 99),
        ack_ms_max: Math.max(...ack),
        applied_ms_max: Math.max(...applied),
      },
      goals: { ack_ms_p99: 15, applied_ms_p99: 100 }, // BENCHMARKS.md
      notes: `${CLICKS} sequential clicks after ${WARM_UP} warm-up clicks; each vote an Ed25519-signed ballot verified in the workflow and audited (hash chain) before it counts; slack-app/main.ts as its own process, workers (production bundle) and the client in the benchmark process, one dev server`,
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await fresh.drop();
    await api.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Asks the workflow back to back: the first answer without the approval is when the decision shows. */
async function untilDecided(handle: WorkflowHandleWithFirstExecutionRunId, approvalId: string): Promise<void> {
  for (;;) {
    const pending = await handle.query(pendingApprovalsQuery);
    if (!pending.some((a) => a.approvalId === approvalId)) return;
  }
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

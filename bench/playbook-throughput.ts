import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Client, Connection, type WorkflowExecutionDescription } from '@temporalio/client';
import { incidentInput, startIncident } from '../client/start-incident';
import { parseConfig } from '../domain/config';
import { freshDatabase } from '../test/support/database';
import { testCliUser } from '../test/support/test-ballots';
import type { IncidentInput, IncidentOutcome } from '../workflows/incident-response';
import { DRILL_POLICY } from '../workflows/playbooks/drill';
import { startControlWorker } from './control-worker';
import { startDevServer } from './dev-server';
import { reportBenchmark } from './results-file';
import { percentile } from './statistics';

const RUNS = 200;
/** Enough runs to load the bundle into the worker's isolate and JIT the hot paths before anything is timed. */
const WARM_UP = 5;
/**
 * The shortest approval timeout the policy schema admits (domain/duration.ts: any whole number
 * of s/m/h/d): the gate still asks, posts, audits and expires. Its timer is the SDK's 1 ms
 * floor, yet the dev server fires it about a second later, so each run still waits ≈ 1 s; a
 * longer timeout would only add to that, not exercise anything more.
 */
const APPROVAL_TIMEOUT = '0s';
/** What the SDK core names the marker a local activity leaves in history (patches leave `core_patch`). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';
/** USER_HZ, which Linux fixes at 100 for /proc on every architecture node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * playbook-throughput (BENCHMARKS.md): 200 `drill` incidents (3 no-op steps, an approval a
 * low-risk policy approves on expiry, then the drill resolves itself) started at once through
 * client/start-incident.ts, against one worker — worker/main.ts as its own process, control
 * role, PostgreSQL store, no Slack — and one dev server. runs_per_second is taken from the
 * server's own StartTime/CloseTime of the runs (first start → last close); the client's view
 * (before the first start request → the last result() resolving) is reported beside it.
 * worker_peak_rss_mb is the worker process's VmHWM once the runs are done (warm-up included).
 */
export async function playbookThroughput(): Promise<void> {
  const server = await startDevServer();
  const { address } = server;
  const fresh = await freshDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'secops-bench-playbooks-'));
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const configText = JSON.stringify({
      version: 1,
      taskQueues: { control: 'bench-control', scanners: 'bench-scanners' },
      artifactsDir: join(dir, 'artifacts'),
      approvals: {
        [DRILL_POLICY]: { approvers: { cliUsers: [testCliUser('bench')] }, lowRisk: true, onExpiry: 'approve', timeout: APPROVAL_TIMEOUT, fourEyes: false },
      },
    });
    writeFileSync(join(dir, 'secops.config.yaml'), configText);
    const config = parseConfig(configText);

    const worker = await startControlWorker({ ...process.env, SECOPS_LOG_LEVEL: 'WARN', SECOPS_CONFIG: join(dir, 'secops.config.yaml'), TEMPORAL_ADDRESS: address, DATABASE_URL: fresh.url });
    cleanups.push(() => worker.stop());
    const workerPid = worker.child.pid!;
    const workerExe = basename(readlinkSync(`/proc/${workerPid}/exe`));
    if (!workerExe.startsWith('node')) throw new Error(`the worker's pid ${workerPid} runs ${workerExe}, not node`);
    const memoryKib = (field: 'VmHWM' | 'VmRSS') => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${workerPid}/status`, 'utf8'))?.[1] ?? NaN);
    // Before any run: what starting up (the workflow bundle is built in the worker) costs by itself.
    const startupPeakKib = memoryKib('VmHWM');

    const client = new Client({ connection: await Connection.connect({ address }) });
    cleanups.push(() => client.connection.close());
    const inputs = (count: number, label: string): IncidentInput[] => Array.from({ length: count }, (_, i) => incidentInput(config, {
      playbook: 'drill', input: { steps: 3, stepDelaySeconds: 0 }, title: `Bench ${label} ${i + 1}`,
      trigger: { kind: 'cli', by: 'cli:bench', at: new Date().toISOString() }, commander: 'cli:bench',
    }, 'bench'));
    const runAll = async (batch: IncidentInput[]) => {
      const started = await Promise.all(batch.map((input) => startIncident(client, config, input)));
      return Promise.all(started.map(async ({ workflowId }) => {
        const handle = client.workflow.getHandle(workflowId);
        const outcome = (await handle.result()) as IncidentOutcome;
        const completedAt = performance.now();
        if (outcome.status !== 'closed') throw new Error(`${workflowId} ended ${outcome.status}: ${outcome.resolution}`);
        return { handle, completedAt };
      }));
    };

    await runAll(inputs(WARM_UP, 'warm-up'));

    const measured = inputs(RUNS, 'run');
    const loadBefore = loadavg()[0]!;
    const cpuBefore = { worker: cpuSeconds(workerPid), server: cpuSeconds(server.child.pid!), machine: machineBusySeconds() };
    const sent = performance.now();
    const runs = await runAll(measured);
    const clientSeconds = (Math.max(...runs.map((r) => r.completedAt)) - sent) / 1000;
    const loadAfter = loadavg()[0]!;
    // Where the machine's time went while the runs ran: the worker, the dev server, and everything else (PostgreSQL, this client).
    const cpu = { worker: cpuSeconds(workerPid) - cpuBefore.worker, server: cpuSeconds(server.child.pid!) - cpuBefore.server, machine: machineBusySeconds() - cpuBefore.machine };
    const peakKib = memoryKib('VmHWM');
    const rssKib = memoryKib('VmRSS');

    const described = await Promise.all(runs.map((r) => r.handle.describe()));
    const startMs = described.map((d) => d.startTime.getTime());
    const closeMs = described.map((d) => closeTimeOf(d));
    const firstStart = Math.min(...startMs);
    const serverSeconds = (Math.max(...closeMs) - firstStart) / 1000;
    const durations = described.map((_, i) => closeMs[i]! - startMs[i]!);

    const history = await runs[0]!.handle.fetchHistory();
    const events = history.events ?? [];
    const count = (attribute: keyof (typeof events)[number]) => events.filter((e) => e[attribute]).length;

    reportBenchmark('playbook-throughput', {
      figures: {
        runs_per_second: RUNS / serverSeconds,
        worker_peak_rss_mb: peakKib / 1024,
        runs_per_second_client: RUNS / clientSeconds,
        first_start_to_last_close_seconds: serverSeconds,
        start_spread_seconds: (Math.max(...startMs) - firstStart) / 1000,
        run_seconds_p50: percentile(durations, 50) / 1000,
        run_seconds_max: Math.max(...durations) / 1000,
        worker_peak_rss_before_runs_mb: startupPeakKib / 1024,
        worker_rss_after_mb: rssKib / 1024,
        history_events_per_run: events.length,
        workflow_tasks_per_run: count('workflowTaskCompletedEventAttributes'),
        activities_per_run: count('activityTaskScheduledEventAttributes'),
        local_activities_per_run: events.filter((e) => e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER).length,
        worker_cpu_seconds: cpu.worker,
        server_cpu_seconds: cpu.server,
        machine_busy_cpu_seconds: cpu.machine,
      },
      goals: { runs_per_second: 50, worker_peak_rss_mb: 400 }, // BENCHMARKS.md
      notes: `${RUNS} drill incidents ({ steps: 3, stepDelaySeconds: 0 }; approval ${DRILL_POLICY} lowRisk, onExpiry approve, timeout ${APPROVAL_TIMEOUT}; the drill resolves itself) started at once via startIncident after ${WARM_UP} warm-up runs (bundle built and loaded before timing); `
        + `runs_per_second from the runs' server StartTime/CloseTime, runs_per_second_client from before the first start request to the last result(); per-run figures from one run's history; `
        + `one worker (worker/main.ts --role control, its own node process, SECOPS_LOG_LEVEL=WARN, PostgreSQL store, no Slack), the dev server, PostgreSQL and this client on the same machine; `
        + `CPU seconds from the runs' first start request to the last result: worker and dev server from /proc/<pid>/stat, the machine's from /proc/stat (all cores; other processes included); `
        + `node ${process.version}, load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await fresh.drop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function closeTimeOf(description: WorkflowExecutionDescription): number {
  if (!description.closeTime) throw new Error(`${description.workflowId} has no close time after its result`);
  return description.closeTime.getTime();
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** The machine's busy CPU seconds so far, every core summed, from /proc/stat (all but idle and iowait). */
function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user! + nice! + system! + irq! + softirq! + steal!) / CLOCK_TICKS_PER_SECOND;
}

import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { containerCreateOptions } from '../activities/scanners/container-spec';
import { wapitiSpec } from '../activities/scanners/wapiti';
import { prepareWorkDir } from '../activities/scanners/work-dir';
import { parseConfig } from '../domain/config';
import { dastScanInput } from '../domain/dast';
import { startVulnerableApp } from '../demo/vulnerable-app';
import { migrate } from '../store/migrations';
import { freshDatabase } from '../test/support/database';
import { ensureWapitiImage } from '../test/support/scanner-images';
import { createWorkers } from '../worker/create-workers';
import { bundleWorkflows } from '../worker/workflow-bundle';
import { dastScan } from '../workflows/dast-scan';
import { startDevServer } from './dev-server';
import { reportBenchmark } from './results-file';
import { bootstrapMedianInterval, median } from './statistics';

const PAIRS = 15;
const BOOTSTRAP = { resamples: 10_000, confidence: 0.9, seed: 20261123 };

/**
 * scan-overhead (BENCHMARKS.md): the demo app scanned by the same Wapiti image, command and
 * mounts — A through the platform (workflow start → result, ingest, diff and reports
 * included), B as a raw `docker run` — in PAIRS pairs after one warm-up pair, the order
 * alternating (A then B, then B then A, …) so that neither always runs on a machine the
 * other just warmed or loaded. The overhead is the median of the paired differences A − B,
 * with a bootstrap 90 % interval of that median.
 */
export async function scanOverhead(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const image = await ensureWapitiImage();
  const server = await startDevServer();
  const { address } = server;
  const [app, fresh] = await Promise.all([startVulnerableApp(), freshDatabase()]);
  try {
    await migrate(fresh.db);
    const config = parseConfig(`version: 1\nartifactsDir: ${mkdtempSync(join(tmpdir(), 'secops-bench-'))}\ntargets:\n  - { id: demo-app, url: "${app.url}", engine: wapiti, scope: { hosts: [127.0.0.1] } }\n`);
    const target = config.targets[0]!;
    const docker = new Docker();
    const connection = await NativeConnection.connect({ address });
    const workers = await createWorkers({
      connection, namespace: 'default', roles: ['control', 'scanners'], taskQueues: config.taskQueues, workflowBundle: await bundleWorkflows(),
      activities: createActivities({ docker, store: { db: fresh.db, url: fresh.url }, slack: undefined }),
    });
    const running = workers.map((w) => w.run());
    const client = new Client({ connection: await Connection.connect({ address }) });

    let n = 0;
    const phases: ScanPhases[] = [];
    const platform = async () => {
      const workflowId = `dast:demo-app:bench-${n++}`;
      const started = performance.now();
      await client.workflow.execute(dastScan, { taskQueue: config.taskQueues.control, workflowId, args: [dastScanInput(config, target, 'cli:bench')] });
      const elapsed = performance.now() - started;
      // Read after the clock stopped: where the run's time went, by the server's own event times.
      phases.push(scanPhases(await client.workflow.getHandle(workflowId).fetchHistory(), elapsed));
      return elapsed;
    };
    const raw = async () => {
      const spec = wapitiSpec({ target, image, workDir: mkdtempSync(join(config.artifactsDir, 'raw-')), labels: { deployment: 'bench/scan-overhead', workflowId: 'bench', runId: 'bench', activityId: 'raw' }, hostUser: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 } });
      await prepareWorkDir(spec);
      const started = performance.now();
      await promisify(execFile)('docker', dockerRunArgs(spec));
      return performance.now() - started;
    };

    await platform();
    await raw();
    const pairs: { a: number; b: number; load: number }[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const load = loadavg()[0]!;
      if (i % 2 === 0) {
        const a = await platform();
        pairs.push({ a, b: await raw(), load });
      } else {
        const b = await raw();
        pairs.push({ a: await platform(), b, load });
      }
    }

    workers.forEach((w) => w.shutdown());
    await Promise.all(running);
    await connection.close();
    await client.connection.close();
    const differences = pairs.map((p) => p.a - p.b);
    const interval = bootstrapMedianInterval(differences, BOOTSTRAP);
    const ms = (values: number[]) => values.map((v) => Math.round(v)).join(', ');
    reportBenchmark('scan-overhead', {
      figures: {
        overhead_ms_median: median(differences),
        overhead_ms_ci90_low: interval.low,
        overhead_ms_ci90_high: interval.high,
        ratio_median: median(pairs.map((p) => p.a / p.b)),
        platform_ms_median: median(pairs.map((p) => p.a)),
        raw_ms_median: median(pairs.map((p) => p.b)),
        before_scanner_ms_median: median(phases.map((p) => p.beforeScanner)),
        scanner_activity_ms_median: median(phases.map((p) => p.scannerActivity)),
        after_scanner_ms_median: median(phases.map((p) => p.afterScanner)),
        client_round_trips_ms_median: median(phases.map((p) => p.clientRoundTrips)),
      },
      goals: { overhead_ms_ci90_high: 100 },
      notes: `${PAIRS} pairs after a warm-up pair, order alternating (A first in pairs 1, 3, …); bootstrap of the median of A − B: ${BOOTSTRAP.resamples} resamples, seed ${BOOTSTRAP.seed}. `
        + `A (platform): ${ms(pairs.map((p) => p.a))} ms; B (raw docker run): ${ms(pairs.map((p) => p.b))} ms; A − B: ${ms(differences)} ms; `
        + `platform phases from each run's history (server event times): before_scanner = start → runScanner started (workflow task, address check, scan recorded), `
        + `scanner_activity = runScanner started → completed (the container, DNS pinning, report read), after_scanner = runScanner completed → run completed (ingest, diff, four reports), `
        + `client_round_trips = the client's time minus the run's (start request, waiting for the result); `
        + `1-min load before each pair: ${pairs.map((p) => p.load.toFixed(2)).join(', ')} (2 cores shared with other work)`,
    });
  } finally {
    await app.stop();
    await fresh.drop();
    await server.stop();
  }
}

/** `docker run` with exactly the options the platform creates its container with. */
function dockerRunArgs(spec: ReturnType<typeof wapitiSpec>): string[] {
  const options = containerCreateOptions(spec);
  const host = options.HostConfig!;
  return [
    'run', '--rm', '--network', 'host', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    ...(host.ReadonlyRootfs ? ['--read-only'] : []),
    ...Object.entries(host.Tmpfs ?? {}).flatMap(([path, opts]) => ['--tmpfs', `${path}:${opts}`]),
    '--memory', String(host.Memory), '--memory-swap', String(host.MemorySwap), '--cpus', String((host.NanoCpus ?? 1e9) / 1e9), '--pids-limit', String(host.PidsLimit),
    ...(host.Binds ?? []).flatMap((bind) => ['-v', bind]),
    ...(options.User ? ['--user', options.User] : []),
    ...(options.Env ?? []).flatMap((e) => ['-e', e]),
    '-w', options.WorkingDir ?? '/', options.Image!, ...(options.Cmd as string[]),
  ];
}

interface ScanPhases {
  beforeScanner: number;
  scannerActivity: number;
  afterScanner: number;
  clientRoundTrips: number;
}

/** A scan run's time split at its scanner activity, from the server's event times (milliseconds). */
function scanPhases(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>, clientMs: number): ScanPhases {
  const events = history.events ?? [];
  const at = (predicate: (e: (typeof events)[number]) => boolean, what: string) => {
    const event = events.find(predicate);
    if (!event?.eventTime) throw new Error(`scan history has no ${what}`);
    return Number(event.eventTime.seconds) * 1000 + Math.round((event.eventTime.nanos ?? 0) / 1e6);
  };
  const start = at((e) => Boolean(e.workflowExecutionStartedEventAttributes), 'start');
  const scannerStarted = at((e) => Boolean(e.activityTaskStartedEventAttributes), 'runScanner start');
  const scannerDone = at((e) => Boolean(e.activityTaskCompletedEventAttributes), 'runScanner completion');
  const end = at((e) => Boolean(e.workflowExecutionCompletedEventAttributes), 'completion');
  return { beforeScanner: scannerStarted - start, scannerActivity: scannerDone - scannerStarted, afterScanner: end - scannerDone, clientRoundTrips: clientMs - (end - start) };
}

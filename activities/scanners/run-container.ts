import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { isHeld } from '../containment/hold';
import { containerCreateOptions, type ScanContainerSpec } from './container-spec';
import { ensureScannerImage } from './scanner-image';
import { scannerNetworkMode } from './scanner-network';
import { prepareWorkDir } from './work-dir';

export interface ScanProgress {
  elapsedSeconds: number;
  lastLine: string;
}

/** Temporal's cancellation signal in the activity; an AbortController's in tests. */
export type CancelSignal = Pick<AbortSignal, 'aborted' | 'reason' | 'addEventListener' | 'removeEventListener'>;

export interface RunHooks {
  heartbeat(progress: ScanProgress): void;
  log(line: string): void;
  cancelled: CancelSignal;
  heartbeatIntervalMs?: number;
}

/**
 * Resolves and checks the hosts the scanner will contact, returning the `host:address` pins
 * (host-pins.ts); throws, and so creates no container, when an address is out of scope.
 */
export type CheckHostPins = () => Promise<string[]>;

export interface ContainerRunResult {
  exitCode: number;
  durationMs: number;
  /** Killed after spec.maxSeconds: whatever report exists is partial. */
  timedOut: boolean;
}

/** After the exit, how long the last output may take to arrive before we stop reading. */
const OUTPUT_DRAIN_MS = 2_000;

/**
 * Runs one scanner container to its end and leaves nothing behind: the container is
 * removed whether the scan finished, failed, timed out or was cancelled, unless an incident
 * holds it. A cancelled run throws the signal's reason, so Temporal records the activity as
 * cancelled.
 */
export async function runScanContainer(docker: Docker, spec: ScanContainerSpec, hooks: RunHooks, checkHostPins: CheckHostPins): Promise<ContainerRunResult> {
  await ensureScannerImage(docker, spec, hooks);
  // After the pull, which may take minutes, and just before the container: the addresses
  // checked are the ones the scan will use.
  const extraHosts = await checkHostPins();
  const mode = await scannerNetworkMode(docker);
  await prepareWorkDir(spec);
  throwIfCancelled(hooks.cancelled);
  const container = await docker.createContainer(containerCreateOptions(spec, { mode, extraHosts }));
  try {
    return await supervise(docker, container, spec, hooks);
  } finally {
    await removeUnlessHeld(container);
  }
}

/**
 * An incident may have stopped this scanner as a suspect and held it as evidence
 * (containment/hold.ts): that hold, renaming it, comes before the stop that ends the scan.
 */
async function removeUnlessHeld(container: Docker.Container): Promise<void> {
  const info = await container.inspect().catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 404) throw error;
    return undefined;
  });
  if (!info || isHeld(info.Name)) return;
  await container.remove({ force: true }).catch(ignoreGone);
}

async function supervise(docker: Docker, container: Docker.Container, spec: ScanContainerSpec, hooks: RunHooks): Promise<ContainerRunResult> {
  // Attached before start, so no early line is lost.
  const output = await container.attach({ stream: true, stdout: true, stderr: true });
  const lines = new PassThrough();
  docker.modem.demuxStream(output, lines, lines);
  output.on('end', () => lines.end());
  const reader = createInterface({ input: lines });
  const outputDone = once(reader, 'close');
  let lastLine = '';
  reader.on('line', (raw) => {
    const line = raw.trimEnd();
    if (!line) return;
    lastLine = line;
    hooks.log(line);
  });

  throwIfCancelled(hooks.cancelled);
  await container.start();
  const started = Date.now();
  let stopped: 'timeout' | 'cancelled' | undefined;
  const stop = (reason: 'timeout' | 'cancelled') => {
    if (stopped) return;
    stopped = reason;
    container.kill().catch((error: Error & { statusCode?: number }) => {
      // Already stopped (409) is fine; otherwise the final forced remove still ends it.
      if (error.statusCode !== 409) hooks.log(`could not kill the scanner container: ${error.message}`);
    });
  };
  const onAbort = () => stop('cancelled');
  hooks.cancelled.addEventListener('abort', onAbort);
  // Output flows from the attach before start() resolves: a cancel may already have come.
  if (hooks.cancelled.aborted) stop('cancelled');
  const deadline = setTimeout(() => stop('timeout'), spec.maxSeconds * 1000);
  const beat = () => hooks.heartbeat({ elapsedSeconds: Math.round((Date.now() - started) / 1000), lastLine });
  beat();
  const ticker = setInterval(beat, hooks.heartbeatIntervalMs ?? 10_000);
  try {
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    await Promise.race([outputDone, sleep(OUTPUT_DRAIN_MS, undefined, { ref: false })]);
    if (stopped === 'cancelled') throw cancellation(hooks.cancelled);
    return { exitCode: StatusCode, durationMs: Date.now() - started, timedOut: stopped === 'timeout' };
  } finally {
    clearTimeout(deadline);
    clearInterval(ticker);
    hooks.cancelled.removeEventListener('abort', onAbort);
    reader.close();
  }
}

function throwIfCancelled(signal: CancelSignal): void {
  if (signal.aborted) throw cancellation(signal);
}

function cancellation(signal: CancelSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  return Object.assign(new Error('scan cancelled'), { name: 'AbortError' });
}

/** Gone already (404), or its removal already under way (409): what we wanted. */
function ignoreGone(error: { statusCode?: number }): void {
  if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
}

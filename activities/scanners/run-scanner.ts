import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type Docker from 'dockerode';
import type { Target } from '../../domain/config';
import { nothingReached } from '../../domain/coverage';
import type { Engine } from '../../domain/finding';
import { deploymentLabel, type EngineRunInput, type ScanContainerSpec } from './container-spec';
import { scanCoverage, type CoverageReader } from './coverage-reader';
import { describeDockerError } from './docker-errors';
import { checkedHostPins, TargetRefusedError } from './host-pins';
import { reapOrphanContainers } from './reaper';
import { HostUnresolvedError, resolveWithSystem, type ResolveHost } from './resolve-host';
import { runScanContainer } from './run-container';
import { scanOutcome } from './scan-outcome';
import { ScannerImageMissingError } from './scanner-image';
import { WAPITI_REPORT, wapitiSpec } from './wapiti';
import { wapitiCoverageReader } from './wapiti-coverage';
import { ZAP_REPORT, zapSpec } from './zap';
import { zapCoverageReader } from './zap-coverage';

interface EngineRun {
  spec(run: EngineRunInput): ScanContainerSpec;
  report: string;
  /** Reads what the scan covered from the container's output; `source` says so in the scan quality. */
  coverage(target: Target): { reader: CoverageReader; source: string };
}

const ENGINES: Record<Engine, EngineRun> = {
  wapiti: { spec: wapitiSpec, report: WAPITI_REPORT, coverage: () => ({ reader: wapitiCoverageReader(), source: 'wapiti -v 1 log + report' }) },
  zap: {
    spec: zapSpec,
    report: ZAP_REPORT,
    coverage: (target) => ({ reader: zapCoverageReader({ activeScan: target.profile !== 'baseline' }), source: 'zap script output (-d) + -J report' }),
  },
};

/** Beside the scan's reports: what the scan covered (domain/coverage.ts ScanCoverage). */
export const SCAN_COVERAGE_FILE = 'scan-coverage.json';

export interface RunScannerInput {
  scanId: string;
  target: Target;
  image: string;
  reportDir: string;
}

export interface RunScannerResult {
  reportPath: string;
  exitCode: number;
  durationMs: number;
  /** What the scan covered, on disk: the diff needs it to call a finding fixed. */
  coveragePath?: string;
  /** Set when the scan reached nothing it was to scan (coverage.ts nothingReached): why. */
  nothingReached?: string;
}

/**
 * `temporalAddress`: the Temporal service the worker polls, the first part of its deployment
 * label. `resolveHost`: how target host names are resolved before the container is created
 * (tests inject answers that change, as DNS rebinding does).
 */
export function createRunScannerActivities(docker: Docker, temporalAddress: string, resolveHost: ResolveHost = resolveWithSystem) {
  return {
    /**
     * Runs the target's engine in its hardened container and returns where the report is,
     * and where the record of what it covered is, read from the scanner's output. Heartbeats
     * carry progress; a worker that dies stops them and the scan moves on. A missing image, a
     * scan over its time budget, or a host that now resolves out of scope fails for good: a
     * retry would do the same. A scan that reached nothing is returned as such, with or
     * without a report, for the workflow to end it as an error.
     */
    async runScanner(input: RunScannerInput): Promise<RunScannerResult> {
      const context = Context.current();
      const { engine } = input.target;
      // The parent is the worker's alone: a scanner running as another uid may need its work dir open to all.
      const reportDir = resolve(input.reportDir);
      await mkdir(reportDir, { recursive: true, mode: 0o700 });
      const workDir = join(reportDir, engine);
      // The same label the worker's start-up reaper filters on: its namespace and scanner task queue are these.
      const deployment = deploymentLabel({ temporalAddress, namespace: context.info.namespace, taskQueue: context.info.taskQueue });
      const spec = ENGINES[engine].spec({
        target: input.target,
        image: input.image,
        workDir,
        labels: {
          deployment,
          workflowId: context.info.workflowExecution?.workflowId ?? '',
          runId: context.info.workflowExecution?.runId ?? '',
          activityId: context.info.activityId,
        },
        hostUser: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
      });
      const reportPath = join(workDir, ENGINES[engine].report);
      // An earlier attempt's container (its worker died mid-scan) must not scan on beside this one.
      const { workflowId, runId } = spec.labels;
      await reapOrphanContainers(docker, deployment, async (ids) => !(ids.workflowId === workflowId && ids.runId === runId));
      // A report left by an earlier attempt must not pass for this one's.
      await rm(reportPath, { force: true });

      let lastLines: string[] = [];
      const coverage = ENGINES[engine].coverage(input.target);
      const run = await runScanContainer(docker, spec, {
        heartbeat: (progress) => context.heartbeat(progress),
        // Frequent beats: a cancel reaches the scan within seconds, a dead worker is noticed soon.
        heartbeatIntervalMs: 2_000,
        log: (line) => {
          coverage.reader.line(line);
          lastLines = [...lastLines.slice(-4), line];
          context.log.info(`[${engine}] ${line}`, { scanId: input.scanId });
        },
        cancelled: context.cancellationSignal,
      }, () => checkedHostPins(input.target, resolveHost)).catch((error: unknown) => {
        if (error instanceof ScannerImageMissingError) throw ApplicationFailure.nonRetryable(error.message, 'ScannerImageMissing');
        if (error instanceof TargetRefusedError) throw ApplicationFailure.nonRetryable(`target ${input.target.id} refused: ${error.message}`, 'TargetRefused');
        if (error instanceof HostUnresolvedError) throw ApplicationFailure.retryable(`target ${input.target.id}: ${error.message}`, 'TargetUnresolved');
        if ((error as { statusCode?: number }).statusCode !== undefined || (error as NodeJS.ErrnoException).code) {
          throw ApplicationFailure.retryable(describeDockerError(error, docker), 'DockerError');
        }
        throw error;
      });

      if (run.timedOut) {
        throw ApplicationFailure.nonRetryable(`${engine} ran past its ${spec.maxSeconds} s budget and was stopped; raise maxScanMinutes for ${input.target.id}`, 'ScanTimedOut');
      }
      const covered = scanCoverage(coverage.reader.result(), { image: input.image, durationMs: run.durationMs, source: coverage.source });
      const coveragePath = join(reportDir, SCAN_COVERAGE_FILE);
      await writeFile(coveragePath, JSON.stringify(covered));
      const unreached = nothingReached(covered.quality);
      const failed = scanOutcome(engine, run.exitCode).outcome === 'error';
      // A scanner that failed without a word about the target failed itself: that is not a target that did not answer.
      if (unreached && (!failed || covered.quality.requestsSent > 0)) return { reportPath, exitCode: run.exitCode, durationMs: run.durationMs, coveragePath, nothingReached: unreached };
      const tail = lastLines.join(' | ');
      if (failed) {
        throw ApplicationFailure.retryable(`${engine} failed with exit code ${run.exitCode}: ${tail}`, 'ScannerFailed');
      }
      if (!(await stat(reportPath).then((s) => s.isFile(), () => false))) {
        throw ApplicationFailure.retryable(`${engine} exited ${run.exitCode} without writing ${reportPath}: ${tail}`, 'ReportMissing');
      }
      return { reportPath, exitCode: run.exitCode, durationMs: run.durationMs, coveragePath };
    },
  };
}

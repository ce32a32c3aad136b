import { mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type Docker from 'dockerode';
import type { Target } from '../../domain/config';
import type { Engine } from '../../domain/finding';
import { deploymentLabel, type EngineRunInput, type ScanContainerSpec } from './container-spec';
import { describeDockerError } from './docker-errors';
import { checkedHostPins, TargetRefusedError } from './host-pins';
import { reapOrphanContainers } from './reaper';
import { HostUnresolvedError, resolveWithSystem, type ResolveHost } from './resolve-host';
import { runScanContainer } from './run-container';
import { scanOutcome } from './scan-outcome';
import { ScannerImageMissingError } from './scanner-image';
import { WAPITI_REPORT, wapitiSpec } from './wapiti';
import { ZAP_REPORT, zapSpec } from './zap';

const ENGINES: Record<Engine, { spec(run: EngineRunInput): ScanContainerSpec; report: string }> = {
  wapiti: { spec: wapitiSpec, report: WAPITI_REPORT },
  zap: { spec: zapSpec, report: ZAP_REPORT },
};

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
}

/**
 * `temporalAddress`: the Temporal service the worker polls, the first part of its deployment
 * label. `resolveHost`: how target host names are resolved before the container is created
 * (tests inject answers that change, as DNS rebinding does).
 */
export function createRunScannerActivities(docker: Docker, temporalAddress: string, resolveHost: ResolveHost = resolveWithSystem) {
  return {
    /**
     * Runs the target's engine in its hardened container and returns where the report is.
     * Heartbeats carry progress; a worker that dies stops them and the scan moves on. A
     * missing image, a scan over its time budget, or a host that now resolves out of scope
     * fails for good: a retry would do the same.
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
      const run = await runScanContainer(docker, spec, {
        heartbeat: (progress) => context.heartbeat(progress),
        // Frequent beats: a cancel reaches the scan within seconds, a dead worker is noticed soon.
        heartbeatIntervalMs: 2_000,
        log: (line) => {
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
      const tail = lastLines.join(' | ');
      if (scanOutcome(engine, run.exitCode).outcome === 'error') {
        throw ApplicationFailure.retryable(`${engine} failed with exit code ${run.exitCode}: ${tail}`, 'ScannerFailed');
      }
      if (!(await stat(reportPath).then((s) => s.isFile(), () => false))) {
        throw ApplicationFailure.retryable(`${engine} exited ${run.exitCode} without writing ${reportPath}: ${tail}`, 'ReportMissing');
      }
      return { reportPath, exitCode: run.exitCode, durationMs: run.durationMs };
    },
  };
}

import type { Client } from '@temporalio/client';
import type { Config } from '../domain/config';
import type { Environment } from '../domain/environment';
import { summarize, type CheckResult, type PreflightReport } from '../domain/preflight';
import type { WorkerRole } from '../domain/task-queues';
import { preflight } from '../workflows/preflight';
import { checkPollers } from './check-pollers';

/**
 * `secops doctor`: Temporal and the workers are checked from here (a workflow cannot run
 * without them); everything else by the `preflight` workflow on the workers themselves.
 */
export interface DoctorReport extends PreflightReport {
  /** The preflight run, when one ran: open it in the Temporal UI. */
  workflowId?: string;
}

export async function runDoctor(client: Client, env: Environment, config: Config): Promise<DoctorReport> {
  const temporal = await checkTemporal(client, env);
  const workers = await Promise.all((['control', 'scanners'] as WorkerRole[]).map((role) => checkPollers(client, env, config.taskQueues[role], role)));
  if (temporal.status === 'failed' || workers[0]?.status === 'failed') {
    const skipped: CheckResult = { check: 'workflow checks', status: 'failed', detail: 'not run: preflight needs a control worker' };
    return summarize([temporal, ...workers, skipped]);
  }
  const workflowId = `preflight:${new Date().toISOString()}`;
  const report = await client.workflow.execute(preflight, {
    taskQueue: config.taskQueues.control,
    workflowId,
    workflowExecutionTimeout: '2 minutes',
    args: [{ taskQueues: config.taskQueues, scannerImages: scannerImagesInUse(config) }],
  });
  return { ...summarize([temporal, ...workers, ...report.checks]), workflowId };
}

async function checkTemporal(client: Client, env: Environment): Promise<CheckResult> {
  try {
    const info = await client.connection.workflowService.getSystemInfo({});
    await client.connection.workflowService.describeNamespace({ namespace: env.TEMPORAL_NAMESPACE });
    return { check: 'temporal', status: 'ok', detail: `server ${info.serverVersion || 'unknown'} at ${env.TEMPORAL_ADDRESS}, namespace ${env.TEMPORAL_NAMESPACE}` };
  } catch (error) {
    return { check: 'temporal', status: 'failed', detail: `${env.TEMPORAL_ADDRESS}: ${(error as Error).message.split('\n')[0]}` };
  }
}

function scannerImagesInUse(config: Config): string[] {
  const engines = config.targets.length > 0 ? new Set(config.targets.map((t) => t.engine)) : new Set(['zap', 'wapiti'] as const);
  return [...new Set([...engines].map((engine) => config.scanners.images[engine]))];
}

import { ActivityFailure, TimeoutFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { failureMessage } from '../domain/failure-message';
import { summarize, type CheckResult, type PreflightReport } from '../domain/preflight';
import type { TaskQueueNames } from '../domain/task-queues';

export interface PreflightInput {
  taskQueues: TaskQueueNames;
  scannerImages: string[];
}

/**
 * Checks what the platform needs, each check on the worker role that needs it (Docker on
 * the scanner queue, the store on the control queue), and reports every one with a reason.
 */
export async function preflight(input: PreflightInput): Promise<PreflightReport> {
  const control = activitiesOn(input.taskQueues.control);
  const scanners = activitiesOn(input.taskQueues.scanners);
  const checks = await Promise.all([
    run('docker', input.taskQueues.scanners, () => scanners.checkDocker()),
    run('scanner images', input.taskQueues.scanners, () => scanners.checkScannerImages(input.scannerImages)),
    run('store', input.taskQueues.control, () => control.checkStore()),
    run('slack', input.taskQueues.control, () => control.checkSlack()),
  ]);
  return summarize(checks);
}

function activitiesOn(taskQueue: string) {
  return proxyActivities<Activities>({
    taskQueue,
    // A check reports what it sees now: no retries, and a missing worker shows quickly.
    scheduleToStartTimeout: '15 seconds',
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 1 },
  });
}

async function run(check: string, taskQueue: string, activity: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await activity();
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure && error.cause.timeoutType === 'SCHEDULE_TO_START') {
      return { check, status: 'failed', detail: `no worker polls task queue ${taskQueue}` };
    }
    return { check, status: 'failed', detail: failureMessage(error) };
  }
}

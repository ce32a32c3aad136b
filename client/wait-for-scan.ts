import type { WorkflowHandle } from '@temporalio/client';
import type { DastScanResult } from '../domain/dast';
import type { ScanHandle } from './start-scan';

/**
 * Waits for a scan's result, telling `onProgress` about once a second what the run is doing
 * (the pending activity and its attempt, from the scanner activity's heartbeats).
 */
export async function waitForScan(handle: ScanHandle, onProgress: (status: string) => void): Promise<DastScanResult> {
  const result = handle.result();
  let done = false;
  void result.finally(() => (done = true)).catch(() => undefined);
  while (!done) {
    onProgress(await handle.describe().then(progressLine, () => 'waiting for the workflow'));
    await Promise.race([result.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000))]);
  }
  return result;
}

function progressLine(description: Awaited<ReturnType<WorkflowHandle['describe']>>): string {
  const pending = description.raw.pendingActivities?.[0];
  if (!pending) return description.status.name === 'RUNNING' ? 'working' : description.status.name.toLowerCase();
  return `${pending.activityType?.name ?? 'activity'} (attempt ${pending.attempt ?? 1})`;
}

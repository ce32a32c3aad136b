import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { DastScanResult } from '../domain/dast';
import type { RunStatus } from '../render/slack/run-status';
import { dastScan } from '../workflows/dast-scan';
import { scanFailureMessage } from './failure-message';

/** The latest run of `workflowId`: its status; a finished scan's verdict and counts; a failure's reason. Undefined when there is none. */
export async function workflowStatus(client: Client, workflowId: string): Promise<RunStatus | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe().catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  });
  if (!description) return undefined;
  const run: RunStatus = {
    workflowId,
    workflowType: description.type,
    status: description.status.name,
    startedAt: description.startTime.toISOString(),
    ...(description.closeTime && { closedAt: description.closeTime.toISOString() }),
  };
  if (run.status === 'COMPLETED' && run.workflowType === dastScan.name) run.scan = (await handle.result()) as DastScanResult;
  if (run.status === 'FAILED') run.failure = await handle.result().then(() => undefined, scanFailureMessage);
  return run;
}

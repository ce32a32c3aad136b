import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { scanFailureMessage } from '../../cli/scan';
import type { DastScanResult } from '../../domain/dast';
import { runStatusMessage, type RunStatus } from '../../render/slack/run-status';
import { code } from '../../render/slack/mrkdwn';
import type { Reply } from './reply';

/** `/secops status <workflow id>`: the latest run's status; a finished scan's verdict and counts; a failure's reason. */
export async function statusCommand(client: Client, workflowId: string): Promise<Reply> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe().catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  });
  if (!description) return { text: `:warning: No run ${code(workflowId, 600)} in this namespace.` };
  const run: RunStatus = {
    workflowId,
    workflowType: description.type,
    status: description.status.name,
    startedAt: description.startTime.toISOString(),
    ...(description.closeTime && { closedAt: description.closeTime.toISOString() }),
  };
  if (run.status === 'COMPLETED' && run.workflowType === 'dastScan') run.scan = (await handle.result()) as DastScanResult;
  if (run.status === 'FAILED') run.failure = await handle.result().then(() => undefined, scanFailureMessage);
  return runStatusMessage(run);
}

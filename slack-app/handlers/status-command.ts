import type { Client } from '@temporalio/client';
import { workflowStatus } from '../../client/workflow-status';
import { runStatusMessage } from '../../render/slack/run-status';
import { code } from '../../render/slack/mrkdwn';
import type { Reply } from './reply';

/** `/secops status <workflow id>`: the latest run's status; a finished scan's verdict and counts; a failure's reason. */
export async function statusCommand(client: Client, workflowId: string): Promise<Reply> {
  const run = await workflowStatus(client, workflowId);
  return run ? runStatusMessage(run) : { text: `:warning: No run ${code(workflowId, 600)} in this namespace.` };
}

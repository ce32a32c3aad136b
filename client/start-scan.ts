import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Principal } from '../domain/approval-rules';
import type { Config, Target } from '../domain/config';
import { dastScanInput, dastWorkflowId } from '../domain/dast';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { dastScan } from '../workflows/dast-scan';

export type ScanHandle = WorkflowHandle<typeof dastScan>;

/**
 * Starts a scan. A caller-chosen `workflowId` is an idempotency key (e.g. from a Slack
 * trigger_id): Temporal then refuses a second start with it, even after the first run ended.
 */
export async function startScan(client: Client, config: Config, target: Target, requestedBy: Principal, workflowId?: string): Promise<ScanHandle> {
  return client.workflow.start(dastScan, {
    taskQueue: config.taskQueues.control,
    workflowId: workflowId ?? dastWorkflowId(target.id, new Date()),
    ...(workflowId && { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const }),
    args: [dastScanInput(config, target, requestedBy)],
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.target, value: target.id }],
  });
}

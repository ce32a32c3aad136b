import { randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { PendingApproval } from '../../domain/approval-rules';
import type { Config } from '../../domain/config';
import { dastScanInput } from '../../domain/dast';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { APPROVAL_ACTIONS } from '../../render/slack/approval-request';
import type { RecordedCall, SlackApiServer } from './slack-api-server';
import { dastScan } from '../../workflows/dast-scan';
import { pendingApprovalsQuery } from '../../workflows/approval';
import { waitUntil } from '../../processes/wait-until';

export interface PostedApproval {
  handle: WorkflowHandle;
  approvalId: string;
  /** The request message as the workers posted it. */
  posted: RecordedCall;
  message: { channel: string; ts: string };
}

/** The buttons (action_id → value) of a recorded message or view. */
export function buttonsOf(blocks: unknown): Record<string, string> {
  const buttons: Record<string, string> = {};
  for (const block of (blocks as { type: string; elements?: { type: string; action_id?: string; value?: string }[] }[] | undefined) ?? []) {
    if (block.type !== 'actions') continue;
    for (const element of block.elements ?? []) if (element.type === 'button' && element.action_id) buttons[element.action_id] = element.value ?? '';
  }
  return buttons;
}

/**
 * Starts the production dastScan of the config's (active-profile) target, requested by
 * `requestedBy`, and waits until Slack accepted its approval request (a refused or rate-limited post does not count).
 */
export async function startApprovalRequest(client: Client, api: SlackApiServer, config: Config, requestedBy: `slack:${string}`): Promise<PostedApproval> {
  const target = config.targets[0]!;
  const workflowId = `dast:${target.id}:test-${randomBytes(4).toString('hex')}`;
  const handle = await client.workflow.start(dastScan, {
    taskQueue: config.taskQueues.control,
    workflowId,
    args: [dastScanInput(config, target, requestedBy)],
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.target, value: target.id }],
  });
  const approvalId = `${workflowId}#1@${handle.firstExecutionRunId}`;
  const posted = await api.waitForCall('chat.postMessage', (call) => call.response.ok === true && buttonsOf(call.args.blocks)[APPROVAL_ACTIONS.approve] === approvalId, 30_000);
  return { handle, approvalId, posted, message: { channel: String(posted.response.channel), ts: String(posted.response.ts) } };
}

/** The approval as the workflow's `pendingApprovals` Query shows it; undefined once decided. */
export async function pendingView(handle: WorkflowHandle, approvalId: string): Promise<PendingApproval | undefined> {
  const pending = await handle.query(pendingApprovalsQuery);
  return pending.find((a) => a.approvalId === approvalId);
}

/** The first approval the run asks for that `match` accepts, once it is pending. */
export async function nextApproval(handle: WorkflowHandle, what: string, match: (approval: PendingApproval) => boolean = () => true): Promise<PendingApproval> {
  let found: PendingApproval | undefined;
  await waitUntil(what, async () => (found = (await handle.query(pendingApprovalsQuery)).find(match)) !== undefined, 60_000);
  return found!;
}

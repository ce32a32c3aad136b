import type { WebClient } from '@slack/web-api';
import { log } from '@temporalio/activity';
import type { ApprovalDecision, PendingApproval } from '../../domain/approval-rules';
import { approvalDecidedMessage, approvalEscalationMessage, approvalRequestMessage } from '../../render/slack/approval-request';
import { refusedForGood } from './slack-refusal';

export interface SlackMessageRef {
  channel: string;
  ts: string;
}

/**
 * Approval requests in Slack, or in the worker log (with the CLI command) without it. The
 * request is updated in place once decided, whoever decided and wherever.
 */
export function createApprovalMessageActivities(slack: WebClient | undefined, channel: string | undefined, runUrl: (workflowId: string) => string | undefined) {
  return {
    async postApprovalRequest(input: { pending: PendingApproval }): Promise<SlackMessageRef | undefined> {
      const { pending } = input;
      if (!slack || !channel) {
        log.info(`approval ${pending.approvalId} pending: ${pending.summary} — secops approvals approve '${pending.approvalId}'`);
        return undefined;
      }
      const message = approvalRequestMessage(pending, { run: runUrl(pending.workflowId) });
      const posted = await refusedForGood(`the approval request ${pending.approvalId} in ${channel}`, () => slack.chat.postMessage({ channel, ...message, unfurl_links: false }));
      return { channel: posted.channel ?? channel, ts: posted.ts ?? '' };
    },

    async postApprovalEscalation(input: { pending: PendingApproval; step: number; channel?: string }): Promise<void> {
      const target = input.channel ?? channel;
      if (!slack || !target) {
        log.warn(`approval ${input.pending.approvalId} escalated (step ${input.step}): ${input.pending.summary}`);
        return;
      }
      const message = approvalEscalationMessage(input.pending, input.step);
      await refusedForGood(`the escalation of ${input.pending.approvalId} to ${target}`, () => slack.chat.postMessage({ channel: target, ...message, unfurl_links: false }));
    },

    async updateApprovalMessage(input: { pending: PendingApproval; decision: ApprovalDecision; message?: SlackMessageRef }): Promise<void> {
      if (!slack || !input.message) return;
      await slack.chat.update({ channel: input.message.channel, ts: input.message.ts, ...approvalDecidedMessage(input.pending, input.decision) });
    },
  };
}

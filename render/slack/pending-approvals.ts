import type { ActionsBlock, KnownBlock, SectionBlock } from '@slack/web-api';
import type { PendingApproval } from '../../domain/approval-rules';
import { APPROVAL_ACTIONS } from './approval-request';
import { code, date, line, principal } from './mrkdwn';
import type { SlackMessage } from './message';

/** Two blocks each: 20 fit a message (50 blocks) with room for the intro and the overflow line. */
const MAX_LISTED = 20;

/** The approvals a person may vote on, each with its buttons, for `/secops approvals` and App Home. */
export function pendingApprovalBlocks(approvals: PendingApproval[]): KnownBlock[] {
  const blocks: KnownBlock[] = approvals.slice(0, MAX_LISTED).flatMap((pending, index) => [about(pending), buttons(pending, index)]);
  if (approvals.length > MAX_LISTED) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `… and ${approvals.length - MAX_LISTED} more: ${code('secops approvals list', 40)}` }] });
  }
  return blocks;
}

/** The ephemeral answer to `/secops approvals`. */
export function myApprovalsMessage(approvals: PendingApproval[]): SlackMessage {
  if (approvals.length === 0) return { text: 'No approvals are waiting for you.', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'No approvals are waiting for you.' } }] };
  const count = `${approvals.length} approval${approvals.length === 1 ? '' : 's'} waiting for you`;
  return { text: count, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${count}*` } }, ...pendingApprovalBlocks(approvals)] };
}

function about(pending: PendingApproval): SectionBlock {
  const facts = [`risk ${pending.risk}`, `requested by ${principal(pending.requestedBy)}`, `${pending.approvals.length} of ${pending.quorum} approvals`, `expires ${date(pending.expiresAt)}`];
  return { type: 'section', text: { type: 'mrkdwn', text: `${code(pending.action, 120)} ${line(pending.summary, 1500)}\n${facts.join(' · ')}` } };
}

/** Same action_ids as the posted request, so one handler serves both; block_ids by position stay unique and short. */
function buttons(pending: PendingApproval, index: number): ActionsBlock {
  return {
    type: 'actions',
    block_id: `approvals:${index}`,
    elements: [
      { type: 'button', action_id: APPROVAL_ACTIONS.approve, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: pending.approvalId },
      { type: 'button', action_id: APPROVAL_ACTIONS.reject, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: pending.approvalId },
    ],
  };
}

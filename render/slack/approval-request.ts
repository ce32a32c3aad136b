import type { ActionsBlock, KnownBlock, SectionBlock } from '@slack/web-api';
import type { ApprovalDecision, PendingApproval } from '../../domain/approval-rules';
import { code, date, line, link, plain, principal, text } from './mrkdwn';
import type { SlackMessage } from './message';

/** Handlers match these exactly; the button's value is the approvalId. */
export const APPROVAL_ACTIONS = { approve: 'approval.approve', reject: 'approval.reject' } as const;

const RISK: Record<PendingApproval['risk'], string> = { low: ':large_green_circle: low', medium: ':large_orange_circle: medium', high: ':red_circle: high' };

/** The request as first posted: what, why, risk, who asked, progress, expiry, links, and the vote buttons. */
export function approvalRequestMessage(pending: PendingApproval, links: { run?: string; report?: string }): SlackMessage {
  return {
    text: `Approval needed: ${line(pending.summary, 500)}`,
    blocks: [header(`:raising_hand: Approval needed: ${pending.action}`), ...about(pending), progress(pending), footer(pending, links), voteButtons(pending)],
  };
}

/** Posted to the next group when nobody decided in time; `step` counts escalations from 1. */
export function approvalEscalationMessage(pending: PendingApproval, step: number): SlackMessage {
  return {
    text: `Escalated approval needed: ${line(pending.summary, 500)}`,
    blocks: [
      header(`:rotating_light: Escalated: ${pending.action}`),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Nobody decided in time, so this request is escalated to you (escalation step ${step}).` }] },
      ...about(pending),
      progress(pending),
      footer(pending, {}),
      voteButtons(pending),
    ],
  };
}

/** The request updated in place once decided: outcome, by whom, when, why. No buttons, so nobody votes on a closed request. */
export function approvalDecidedMessage(pending: PendingApproval, decision: ApprovalDecision): SlackMessage {
  const expired = decision.decidedBy.length === 0;
  const outcome = decision.approved ? 'Approved' : 'Rejected';
  const headline = expired ? `:hourglass: Expired, ${outcome.toLowerCase()} by policy` : `${decision.approved ? ':white_check_mark:' : ':no_entry:'} ${outcome}`;
  const by = expired ? 'nobody (expired)' : decision.decidedBy.map(principal).join(', ');
  return {
    text: `${expired ? `Expired, ${outcome.toLowerCase()} by policy` : outcome}: ${line(pending.summary, 500)}`,
    blocks: [
      header(`${headline}: ${pending.action}`),
      ...about(pending),
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Decision*\n${expired ? `expired, ${outcome.toLowerCase()}` : outcome.toLowerCase()}` },
          { type: 'mrkdwn', text: `*By*\n${by}` },
          { type: 'mrkdwn', text: `*When*\n${date(decision.at)}` },
          { type: 'mrkdwn', text: `*Requested by*\n${principal(pending.requestedBy)}` },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: `*Reason*\n${text(decision.reason || '(none given)', 2900)}` } },
      footer(pending, {}),
    ],
  };
}

function header(value: string): KnownBlock {
  return { type: 'header', text: { type: 'plain_text', text: plain(value, 150), emoji: true } };
}

/** What is asked and why; summary and details may quote scanner output, so both are escaped. */
function about(pending: PendingApproval): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*What*  ${code(pending.action, 120)}\n${text(pending.summary, 2800)}` } }];
  if (pending.details?.trim()) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Why / details*\n${text(pending.details, 2900)}` } });
  return blocks;
}

function progress(pending: PendingApproval): SectionBlock {
  // A quorum is at most 10 (the policy schema), so the names always fit the field.
  const so = pending.approvals.length > 0 ? ` (${pending.approvals.map(principal).join(', ')})` : '';
  return {
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Risk*\n${RISK[pending.risk]}` },
      { type: 'mrkdwn', text: `*Requested by*\n${principal(pending.requestedBy)}` },
      { type: 'mrkdwn', text: `*Quorum*\n${pending.approvals.length} of ${pending.quorum} approval${pending.quorum === 1 ? '' : 's'}${so}` },
      { type: 'mrkdwn', text: `*Expires*\n${date(pending.expiresAt)}` },
    ],
  };
}

/** Links, and the CLI fallback for people without Slack access to the buttons. */
function footer(pending: PendingApproval, links: { run?: string; report?: string }): KnownBlock {
  const parts = [links.run && link(links.run, 'Temporal run'), links.report && link(links.report, 'Report'), `CLI: ${code(`secops approvals approve '${pending.approvalId}'`, 1200)}`];
  return { type: 'context', elements: [{ type: 'mrkdwn', text: parts.filter(Boolean).join('  ·  ') }] };
}

/**
 * Approve and Reject carry the approvalId. The block_id changes with each vote because
 * Slack asks for a new block_id on every iteration of an updated message.
 */
function voteButtons(pending: PendingApproval): ActionsBlock {
  return {
    type: 'actions',
    block_id: `approval.vote:${pending.approvals.length}`,
    elements: [
      { type: 'button', action_id: APPROVAL_ACTIONS.approve, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: pending.approvalId },
      { type: 'button', action_id: APPROVAL_ACTIONS.reject, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: pending.approvalId },
    ],
  };
}

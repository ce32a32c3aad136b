import type { InputBlock, ModalView } from '@slack/web-api';
import { MAX_TRIAGE_REASON } from '../../domain/triage-input';

export const MODAL_CALLBACKS = { acceptRisk: 'triage.accept-risk', ticket: 'triage.ticket', rejectReason: 'approval.reject' } as const;

/**
 * Where a submission's answers are: `view.state.values[name][name]`. Each input uses one
 * name as both block_id and action_id, so handlers need no second table.
 */
export const MODAL_INPUTS = { reason: 'reason', expires: 'expires', ticketUrl: 'ticket_url' } as const;

const REASON_MAX = MAX_TRIAGE_REASON;

/** Accept a finding's risk until a date. `privateMetadata` carries the TriageRef back to the submission handler. */
export function acceptRiskModal(privateMetadata: string): ModalView {
  return modal(MODAL_CALLBACKS.acceptRisk, 'Accept risk', 'Accept risk', privateMetadata, [
    reasonInput('Why is this risk acceptable?'),
    {
      type: 'input',
      block_id: MODAL_INPUTS.expires,
      label: { type: 'plain_text', text: 'Accepted until' },
      hint: { type: 'plain_text', text: 'Accepted risks always expire: after this date the finding counts again.' },
      element: { type: 'datepicker', action_id: MODAL_INPUTS.expires, placeholder: { type: 'plain_text', text: 'Pick a date' } },
    },
  ]);
}

/** Link a finding to a ticket; it keeps counting, the report shows the link. */
export function ticketModal(privateMetadata: string): ModalView {
  return modal(MODAL_CALLBACKS.ticket, 'Link a ticket', 'Save', privateMetadata, [
    {
      type: 'input',
      block_id: MODAL_INPUTS.ticketUrl,
      label: { type: 'plain_text', text: 'Ticket URL' },
      element: { type: 'url_text_input', action_id: MODAL_INPUTS.ticketUrl, placeholder: { type: 'plain_text', text: 'https://tracker.example.com/SEC-123' } },
    },
  ]);
}

/** A rejection needs a reason (the approval policy refuses one without); `privateMetadata` carries the approvalId. */
export function rejectReasonModal(privateMetadata: string): ModalView {
  return modal(MODAL_CALLBACKS.rejectReason, 'Reject request', 'Reject', privateMetadata, [reasonInput('Why reject? The requester and the audit log see this.')]);
}

function reasonInput(placeholder: string): InputBlock {
  return {
    type: 'input',
    block_id: MODAL_INPUTS.reason,
    label: { type: 'plain_text', text: 'Reason' },
    element: { type: 'plain_text_input', action_id: MODAL_INPUTS.reason, multiline: true, max_length: REASON_MAX, placeholder: { type: 'plain_text', text: placeholder } },
  };
}

function modal(callbackId: string, title: string, submit: string, privateMetadata: string, blocks: InputBlock[]): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: privateMetadata,
    title: { type: 'plain_text', text: title },
    submit: { type: 'plain_text', text: submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

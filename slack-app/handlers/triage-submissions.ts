import type { App } from '@slack/bolt';
import { MODAL_CALLBACKS, MODAL_INPUTS } from '../../render/slack/triage-modals';
import { NO_STORE, type SlackAppDeps } from '../deps';
import { triageRefSchema, viewSubmissionSchema } from '../payloads';
import { recordTriage } from '../../client/record-triage';
import { acceptedUntil, reasonLengthProblem, ticketLink } from '../../domain/triage-input';
import { slackRequester } from '../requester';
import { triageRefused } from '../triage-authority';

type ModalErrors = Record<string, string>;

/**
 * Accept-risk and ticket modals. Checked and stored before ack(), so a bad date, a bad
 * link or a store failure is shown in the modal, beside the input to fix.
 */
export function registerTriageSubmissions(app: App, deps: SlackAppDeps): void {
  app.view(MODAL_CALLBACKS.acceptRisk, async ({ ack, body, client }) => {
    const submission = viewSubmissionSchema.safeParse(body);
    const ref = triageRefSchema.safeParse(submission.success ? submission.data.metadata : '');
    if (!submission.success || !ref.success) return ack(errors({ [MODAL_INPUTS.reason]: 'this form could not be read; use Accept risk on the scan summary again' }));
    const { input, user } = submission.data;
    const reason = input(MODAL_INPUTS.reason);
    const until = acceptedUntil(input(MODAL_INPUTS.expires), new Date());
    if (!reason) return ack(errors({ [MODAL_INPUTS.reason]: 'say why this risk is acceptable' }));
    const tooLong = reasonLengthProblem(reason);
    if (tooLong) return ack(errors({ [MODAL_INPUTS.reason]: tooLong }));
    if ('problem' in until) return ack(errors({ [MODAL_INPUTS.expires]: until.problem }));
    if (!deps.db) return ack(errors({ [MODAL_INPUTS.reason]: NO_STORE }));
    const refused = await triageRefused(deps, slackRequester(client, user), ref.data, { kind: 'accepted-risk', expiresAt: until.expiresAt });
    if (refused) return ack(errors({ [MODAL_INPUTS.expires]: refused.slice(0, 2000) }));
    const stored = await recordTriage(deps.db, { targetId: ref.data.t, fingerprint: ref.data.f, kind: 'accepted-risk', reason, expiresAt: until.expiresAt, decidedBy: `slack:${user}` }).then(() => undefined, storeProblem);
    await ack(stored ? errors({ [MODAL_INPUTS.reason]: stored }) : undefined);
  });

  app.view(MODAL_CALLBACKS.ticket, async ({ ack, body, client }) => {
    const submission = viewSubmissionSchema.safeParse(body);
    const ref = triageRefSchema.safeParse(submission.success ? submission.data.metadata : '');
    if (!submission.success || !ref.success) return ack(errors({ [MODAL_INPUTS.ticketUrl]: 'this form could not be read; use Ticket link on the scan summary again' }));
    const { input, user } = submission.data;
    const link = ticketLink(input(MODAL_INPUTS.ticketUrl));
    if ('problem' in link) return ack(errors({ [MODAL_INPUTS.ticketUrl]: link.problem }));
    if (!deps.db) return ack(errors({ [MODAL_INPUTS.ticketUrl]: NO_STORE }));
    const refused = await triageRefused(deps, slackRequester(client, user), ref.data, { kind: 'ticket' });
    if (refused) return ack(errors({ [MODAL_INPUTS.ticketUrl]: refused.slice(0, 2000) }));
    const stored = await recordTriage(deps.db, { targetId: ref.data.t, fingerprint: ref.data.f, kind: 'ticket', ticketUrl: link.url, decidedBy: `slack:${user}` }).then(() => undefined, storeProblem);
    await ack(stored ? errors({ [MODAL_INPUTS.ticketUrl]: stored }) : undefined);
  });
}

function errors(byInput: ModalErrors) {
  return { response_action: 'errors' as const, errors: byInput };
}

function storeProblem(error: unknown): string {
  return `could not be saved: ${error instanceof Error ? error.message : String(error)}`.slice(0, 2000);
}

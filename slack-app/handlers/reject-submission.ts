import type { App } from '@slack/bolt';
import { castBallot } from '../../client/cast-ballot';
import type { VoteIntent } from '../../client/ballot-signer';
import { MODAL_CALLBACKS, MODAL_INPUTS } from '../../render/slack/triage-modals';
import type { SlackAppDeps } from '../deps';
import { viewSubmissionSchema } from '../payloads';
import { slackIdempotencyKey } from '../idempotency-key';

/**
 * The reject modal's submission. The vote is cast before ack() so a refusal can be shown
 * in the modal, next to the reason, where the person can still act on it.
 */
export function registerRejectSubmission(app: App, deps: SlackAppDeps): void {
  app.view(MODAL_CALLBACKS.rejectReason, async ({ ack, body }) => {
    const submission = viewSubmissionSchema.safeParse(body);
    if (!submission.success) return ack({ response_action: 'errors', errors: { [MODAL_INPUTS.reason]: 'this form could not be read; use Reject on the request again' } });
    const { user, metadata, input, triggerId } = submission.data;
    const ballot: VoteIntent = { approvalId: metadata, voter: `slack:${user}`, vote: 'reject', reason: input(MODAL_INPUTS.reason) };
    try {
      await castBallot(deps, ballot, slackIdempotencyKey(triggerId));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return ack({ response_action: 'errors', errors: { [MODAL_INPUTS.reason]: `not counted: ${reason}`.slice(0, 2000) } });
    }
    await ack();
  });
}

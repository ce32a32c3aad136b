import type { App } from '@slack/bolt';
import { BallotRefusedError, castBallot } from '../../client/cast-ballot';
import type { VoteIntent } from '../../client/ballot-signer';
import { APPROVAL_ACTIONS } from '../../render/slack/approval-request';
import { line } from '../../render/slack/mrkdwn';
import { rejectReasonModal } from '../../render/slack/triage-modals';
import type { SlackAppDeps } from '../deps';
import { openModal } from '../open-modal';
import { buttonClickSchema } from '../payloads';
import { publishHome } from '../publish-home';
import { slackIdempotencyKey } from '../idempotency-key';
import { tellUser } from '../tell-user';

/**
 * Approve and Reject, on the posted request and in App Home. The workflow's Update
 * validator decides whether the vote counts; the workflow itself updates the posted
 * message once decided, so these handlers only vote and explain refusals.
 */
export function registerApprovalButtons(app: App, deps: SlackAppDeps): void {
  app.action(APPROVAL_ACTIONS.approve, async ({ ack, body, client, logger }) => {
    // Acknowledged before voting: the Update round trip must not count against Slack's 3 s.
    await ack();
    const click = buttonClickSchema.safeParse(body);
    if (!click.success) return logger.warn(`approve: unreadable click: ${click.error.message}`);
    const { user, channel, value, triggerId, fromHome } = click.data;
    const ballot: VoteIntent = { approvalId: value, voter: `slack:${user}`, vote: 'approve' };
    try {
      await castBallot(deps, ballot, slackIdempotencyKey(triggerId));
    } catch (error) {
      const refused = error instanceof BallotRefusedError;
      const reason = error instanceof Error ? error.message : String(error);
      await tellUser(client, { user, channel }, `${refused ? ':no_entry: Your approval was not counted' : ':warning: Your approval could not be recorded'}: ${line(reason, 1500)}`);
    }
    if (fromHome) await publishHome(client, deps.client, user);
  });

  // A rejection needs a reason: ask for it in a modal; the vote is cast on submission.
  app.action(APPROVAL_ACTIONS.reject, async ({ ack, body, client, logger }) => {
    await ack();
    const click = buttonClickSchema.safeParse(body);
    if (!click.success) return logger.warn(`reject: unreadable click: ${click.error.message}`);
    await openModal(client, click.data, rejectReasonModal(click.data.value), 'Reject');
  });
}

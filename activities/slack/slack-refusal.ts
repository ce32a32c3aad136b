import { ApplicationFailure } from '@temporalio/activity';
import { slackPlatformErrorCode } from '../../domain/slack-error';

/**
 * Slack answers no retry can change: the channel, the app's membership or the token must
 * be fixed first. Retried, they only hold a run for minutes before failing it anyway, with
 * Slack's bare error code; failed at once, the run says what to fix.
 */
const WHAT_TO_FIX: Record<string, string> = {
  channel_not_found: 'the channel does not exist, or is private and the app is not in it: check the channel in the config, or invite the app',
  not_in_channel: 'invite the app to the channel (/invite @secops), or name a channel it is in',
  is_archived: 'the channel is archived: name another one in the config',
  invalid_auth: 'SLACK_BOT_TOKEN is not valid for this workspace',
  not_authed: 'SLACK_BOT_TOKEN is not set for the worker',
  token_revoked: 'SLACK_BOT_TOKEN was revoked: reinstall the app',
  account_inactive: 'SLACK_BOT_TOKEN belongs to a deactivated app or workspace',
  missing_scope: 'the app lacks a scope it needs: reinstall it from slack-app/manifest.yml',
};

/** Runs a Slack post; a refusal for good fails the activity without retries, naming `what` and the fix. */
export async function refusedForGood<T>(what: string, post: () => Promise<T>): Promise<T> {
  try {
    return await post();
  } catch (error) {
    const code = slackPlatformErrorCode(error);
    const fix = code === undefined ? undefined : WHAT_TO_FIX[code];
    if (code !== undefined && fix !== undefined) throw ApplicationFailure.nonRetryable(`Slack refused ${what}: ${code} — ${fix}`, 'SlackRefused');
    throw error;
  }
}

import type { WebClient } from '@slack/web-api';

/**
 * Tells one person something only they should see: ephemerally in the channel where they
 * clicked, or, from App Home (no channel), in the app's direct messages with them.
 * `text` is mrkdwn the caller has escaped.
 */
export async function tellUser(slack: WebClient, where: { user: string; channel?: string }, text: string): Promise<void> {
  if (where.channel) await slack.chat.postEphemeral({ channel: where.channel, user: where.user, text });
  else await slack.chat.postMessage({ channel: where.user, text });
}

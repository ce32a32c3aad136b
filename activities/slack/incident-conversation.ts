import type { WebClient } from '@slack/web-api';
import { ApplicationFailure, log } from '@temporalio/activity';
import { slackPlatformErrorCode } from '../../domain/slack-error';
import { INCIDENT_STATUS_BLOCK } from '../../render/slack/incident-status';

/**
 * The Slack side of an incident's channel, each step safe to repeat: a local activity that
 * failed half way is retried from the top, and must find what its earlier attempt did.
 */

/** Per-person refusals of an invite: that person stays out, the channel and its status message go ahead. */
const INVITE_REFUSALS_TOLERATED = new Set(['already_in_channel', 'cant_invite', 'user_not_found', 'user_is_restricted', 'user_disabled', 'ura_max_channels']);

/**
 * The public channel named `name`: created by the app, or, when the name is taken, the one
 * already there — in practice the one an earlier attempt created, as incident ids end in a
 * random suffix. `created` tells the two apart, so what is done once per incident is done once.
 */
export async function openChannel(slack: WebClient, name: string): Promise<{ id: string; created: boolean }> {
  try {
    const created = await slack.conversations.create({ name, is_private: false });
    if (created.channel?.id) return { id: created.channel.id, created: true };
  } catch (error) {
    if (slackPlatformErrorCode(error) !== 'name_taken') throw error;
  }
  const existing = await channelNamed(slack, name);
  if (!existing) throw ApplicationFailure.nonRetryable(`Slack channel #${name} exists and the app cannot see it (archived, or private): unarchive it, or rename it so the incident can have it`, 'SlackRefused');
  if (!existing.isMember) await slack.conversations.join({ channel: existing.id });
  return { id: existing.id, created: false };
}

async function channelNamed(slack: WebClient, name: string): Promise<{ id: string; isMember: boolean } | undefined> {
  let cursor: string | undefined;
  do {
    const page = await slack.conversations.list({ types: 'public_channel', exclude_archived: true, limit: 1000, ...(cursor && { cursor }) });
    const found = page.channels?.find((c) => c.name === name);
    if (found?.id) return { id: found.id, isMember: found.is_member === true };
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return undefined;
}

/** Invites those of `users` not in the channel yet: people who joined the incident since are invited on its next update. */
export async function inviteMissing(slack: WebClient, channel: string, users: readonly string[]): Promise<void> {
  if (users.length === 0) return;
  const members = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await slack.conversations.members({ channel, limit: 1000, ...(cursor && { cursor }) });
    for (const member of page.members ?? []) members.add(member);
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  const missing = users.filter((user) => !members.has(user));
  if (missing.length === 0) return;
  try {
    // force: the valid ones are invited even when one id is refused.
    await slack.conversations.invite({ channel, users: missing.join(','), force: true });
  } catch (error) {
    const code = slackPlatformErrorCode(error);
    if (code === undefined || !INVITE_REFUSALS_TOLERATED.has(code)) throw error;
    log.warn(`not all of ${missing.join(', ')} could be invited to ${channel}: ${code}`);
  }
}

/** The status message an earlier attempt posted in `channel`: the app's own message whose header is the status block. */
export async function earlierStatusMessage(slack: WebClient, channel: string): Promise<string | undefined> {
  const { user_id: bot } = await slack.auth.test();
  // A retried first announcement: the channel is minutes old, so its first page holds everything.
  const history = await slack.conversations.history({ channel, limit: 200 });
  const ours = history.messages?.find((m) => m.user === bot && (m.blocks as { block_id?: string }[] | undefined)?.[0]?.block_id === INCIDENT_STATUS_BLOCK);
  return ours?.ts;
}

export async function pin(slack: WebClient, channel: string, ts: string): Promise<void> {
  try {
    await slack.pins.add({ channel, timestamp: ts });
  } catch (error) {
    if (slackPlatformErrorCode(error) !== 'already_pinned') throw error;
  }
}

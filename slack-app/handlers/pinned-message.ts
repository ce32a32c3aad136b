import type { App } from '@slack/bolt';
import { boundedText } from '../../domain/bounded-text';
import { incidentIdSchema } from '../../domain/incident';
import { date } from '../../render/slack/mrkdwn';
import { actAsSlackUser } from '../act-as-slack-user';
import type { SlackAppDeps } from '../deps';
import { reactionAddedSchema } from '../payloads';
import { tellUser } from '../tell-user';

/** 📌 */
const PIN = 'pushpin';
/** Within the act's 4000 characters, with room for the truncation mark. */
const MAX_TEXT = 3500;

/**
 * A 📌 on a message in an incident's channel (its name is the incident's id) puts the message
 * on the incident's timeline at the time it was written, as an act of the person who reacted:
 * the record of what people said, made in the place they said it. Any other reaction, or a
 * pin elsewhere, is nobody's business here.
 */
export function registerPinnedMessages(app: App, deps: SlackAppDeps): void {
  app.event('reaction_added', async ({ event, client, logger }) => {
    const reaction = reactionAddedSchema.safeParse(event);
    if (!reaction.success) return logger.warn(`reaction_added: unreadable event: ${reaction.error.message}`);
    const { user, reaction: name, item } = reaction.data;
    if (name !== PIN || item.type !== 'message' || !item.channel || !item.ts) return;
    const { channel, ts } = item;
    const incidentId = incidentIdSchema.safeParse((await client.conversations.info({ channel })).channel?.name);
    if (!incidentId.success) return;
    const where = { user, channel };
    // The one message at exactly `ts`: history holds the channel's own messages, not thread replies.
    const found = (await client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 })).messages?.[0];
    if (found?.ts !== ts) return tellUser(client, where, 'Only messages in the channel itself go on the incident\'s timeline, not replies in a thread.');
    const text = boundedText(unescaped(found.text ?? ''), MAX_TEXT).trim();
    if (!text) return tellUser(client, where, 'That message has no text to put on the incident\'s timeline.');
    const at = timeOf(ts);
    // A reaction shows nothing else in return: the person is told it counted.
    if (await actAsSlackUser(deps, client, where, incidentId.data, 'addTimelineEvent', { text, at })) {
      await tellUser(client, where, `:pushpin: On the timeline of ${incidentId.data}, at ${date(at)}.`);
    }
  });
}

/** A Slack ts is the message's time: seconds and microseconds since the epoch. */
function timeOf(ts: string): string {
  const [seconds, micros] = ts.split('.') as [string, string];
  return new Date(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)).toISOString();
}

/**
 * The text as its author typed it: Slack stores `&`, `<` and `>` as entities, and the timeline
 * keeps plain text (every renderer escapes for its own medium). `&amp;` goes last, so `&amp;lt;`
 * stays the `&lt;` someone typed.
 */
function unescaped(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

import type { WebClient } from '@slack/web-api';
import { log } from '@temporalio/activity';
import type { IncidentView } from '../../domain/incident';
import { peopleOf } from '../../domain/incident-authority';
import { slackPlatformErrorCode } from '../../domain/slack-error';
import { SLACK_USER_ID } from '../../domain/slack-ids';
import { incidentOpenedNotice } from '../../render/slack/incident-opened';
import { commanderReminderMessage } from '../../render/slack/incident-reminder';
import { incidentStatusMessage } from '../../render/slack/incident-status';
import type { SlackMessage } from '../../render/slack/message';
import { earlierStatusMessage, inviteMissing, openChannel, pin } from './incident-conversation';
import { refusedForGood } from './slack-refusal';

/** Where the status message is: the workflow keeps it in the view (`statusMessage`) and hands it back on every later call. */
export interface PostedStatus {
  channel?: string;
  ts?: string;
}

/**
 * An incident in Slack: its own channel, named by its id, with its people in it and a pinned
 * status message kept current; reminders to its commander. Without Slack, the worker log.
 */
export function createIncidentSlackActivities(slack: WebClient | undefined, defaultChannel?: string) {
  return {
    /**
     * The first call opens the channel, invites the incident's Slack users, posts and pins the
     * status message, and tells the default channel. Later calls (view.statusMessage set)
     * invite whoever joined since and update the message in place.
     */
    async announceIncident({ view }: { view: IncidentView }): Promise<PostedStatus> {
      if (!slack) {
        log.info(`incident ${view.id} (${view.severity}, ${view.status}): ${view.title}`);
        return {};
      }
      return refusedForGood(`the Slack channel of incident ${view.id}`, async () => {
        const message = incidentStatusMessage(view);
        if (view.statusMessage) {
          await inviteMissing(slack, view.statusMessage.channel, slackUsersOf(view));
          return updateOrRepost(slack, view.statusMessage, message);
        }
        const channel = await openChannel(slack, view.id);
        await inviteMissing(slack, channel.id, slackUsersOf(view));
        const earlier = channel.created ? undefined : await earlierStatusMessage(slack, channel.id);
        const posted = earlier ? await updateOrRepost(slack, { channel: channel.id, ts: earlier }, message) : await post(slack, channel.id, message);
        await pin(slack, channel.id, posted.ts);
        if (channel.created) await tellDefaultChannel(slack, defaultChannel, incidentOpenedNotice(view, channel.id));
        return posted;
      });
    },

    /** Mentions the commander in the incident's channel; a channel Slack refuses is logged, not retried: the timeline has the reminder anyway. */
    async remindCommander({ view }: { view: IncidentView }): Promise<{ posted: boolean }> {
      const channel = view.statusMessage?.channel ?? view.channel ?? defaultChannel;
      if (!slack || !channel) {
        log.warn(`incident ${view.id}: a status update is due from ${view.roles.commander ?? 'its commander (none yet)'}`);
        return { posted: false };
      }
      try {
        await slack.chat.postMessage({ channel, ...commanderReminderMessage(view), unfurl_links: false });
        return { posted: true };
      } catch (error) {
        const code = slackPlatformErrorCode(error);
        if (code === undefined) throw error;
        log.warn(`incident ${view.id}: the status-update reminder was refused by Slack in ${channel}: ${code}`);
        return { posted: false };
      }
    },
  };
}

/** Everyone the incident names who is a Slack user; CLI users have no Slack account to invite. */
function slackUsersOf(view: IncidentView): string[] {
  return [...peopleOf(view)].filter((p) => p.startsWith('slack:')).map((p) => p.slice('slack:'.length)).filter((id) => SLACK_USER_ID.test(id));
}

async function post(slack: WebClient, channel: string, message: SlackMessage): Promise<{ channel: string; ts: string }> {
  const posted = await slack.chat.postMessage({ channel, ...message, unfurl_links: false });
  if (!posted.ts) throw new Error(`Slack posted the status message in ${channel} without a ts`);
  return { channel: posted.channel ?? channel, ts: posted.ts };
}

/** Someone deleted the status message: a new one takes its place (and its ts goes back into the view). */
async function updateOrRepost(slack: WebClient, where: { channel: string; ts: string }, message: SlackMessage): Promise<{ channel: string; ts: string }> {
  try {
    await slack.chat.update({ ...where, ...message });
    return where;
  } catch (error) {
    if (slackPlatformErrorCode(error) !== 'message_not_found') throw error;
    const posted = await post(slack, where.channel, message);
    await pin(slack, posted.channel, posted.ts);
    return posted;
  }
}

/** Best effort: people in the default channel learn of the incident, but a notice Slack refuses must not keep the incident's own channel from working. */
async function tellDefaultChannel(slack: WebClient, channel: string | undefined, notice: SlackMessage): Promise<void> {
  if (!channel) return;
  try {
    await slack.chat.postMessage({ channel, ...notice, unfurl_links: false });
  } catch (error) {
    const code = slackPlatformErrorCode(error);
    if (code === undefined) throw error;
    log.warn(`the incident notice was refused by Slack in ${channel}: ${code}`);
  }
}

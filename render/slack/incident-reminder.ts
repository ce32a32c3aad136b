import type { IncidentView } from '../../domain/incident';
import { snoozeButtons } from './incident-actions';
import { line, principal } from './mrkdwn';
import type { SlackMessage } from './message';

/**
 * Posted in the incident's channel when a status update is due: it mentions the commander,
 * who alone may snooze it. Without a commander nobody could, so it asks for one instead.
 */
export function commanderReminderMessage(view: IncidentView): SlackMessage {
  const title = line(view.title, 500);
  const commander = view.roles.commander;
  if (!commander) {
    return {
      text: `Status update due: ${title}`,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:alarm_clock: A status update on *${title}* (${view.severity}) is due, and the incident has no commander: one of its people should take command.` } }],
    };
  }
  return {
    text: `Status update due: ${title}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:alarm_clock: ${principal(commander)}, a status update on *${title}* (${view.severity}) is due. Post it to the incident's timeline, or snooze this reminder.` } },
      { type: 'actions', elements: snoozeButtons(view.id) },
    ],
  };
}

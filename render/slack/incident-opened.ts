import type { IncidentView } from '../../domain/incident';
import { code, line } from './mrkdwn';
import type { SlackMessage } from './message';

/** A channel id as Slack answers it; anything else is shown as code, never as a link. */
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

/** Told once in the team's usual channel, so people who were not invited can find the incident's own. */
export function incidentOpenedNotice(view: IncidentView, channel: string): SlackMessage {
  const where = CHANNEL_ID.test(channel) ? `<#${channel}>` : code(channel, 100);
  const text = `:rotating_light: ${view.severity} incident opened: *${line(view.title, 500)}* — follow it in ${where}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

import type { App } from '@slack/bolt';
import { incidentIdSchema, SNOOZES } from '../../domain/incident';
import { INCIDENT_ACTIONS } from '../../render/slack/incident-actions';
import { actAsSlackUser } from '../act-as-slack-user';
import type { SlackAppDeps } from '../deps';
import { buttonClickSchema } from '../payloads';
import { tellUser } from '../tell-user';

/**
 * Acknowledge and Snooze, on an incident's status message and reminders. Each is one signed
 * act as the person who clicked; the workflow authorizes it and updates the status message
 * itself, so these handlers only act and explain refusals.
 */
export function registerIncidentButtons(app: App, deps: SlackAppDeps): void {
  app.action(INCIDENT_ACTIONS.acknowledge, async ({ ack, body, client, logger }) => {
    // Acknowledged before acting: the Update round trip must not count against Slack's 3 s.
    await ack();
    const click = incidentClick(body);
    if (!click) return logger.warn(`${INCIDENT_ACTIONS.acknowledge}: unreadable click`);
    await actAsSlackUser(deps, client, click, click.incidentId, 'acknowledge', {});
  });

  for (const snooze of SNOOZES) {
    app.action(INCIDENT_ACTIONS.snooze[snooze], async ({ ack, body, client, logger }) => {
      await ack();
      const click = incidentClick(body);
      if (!click) return logger.warn(`${INCIDENT_ACTIONS.snooze[snooze]}: unreadable click`);
      // A snooze changes nothing the status message shows, so the commander is told it counted.
      if (await actAsSlackUser(deps, client, click, click.incidentId, 'snoozeReminder', { for: snooze })) {
        await tellUser(client, click, `:zzz: Snoozed: the next status-update reminder comes in ${snooze}.`);
      }
    });
  }
}

function incidentClick(body: unknown) {
  const click = buttonClickSchema.safeParse(body);
  const incidentId = incidentIdSchema.safeParse(click.success ? click.data.value : undefined);
  return click.success && incidentId.success ? { ...click.data, incidentId: incidentId.data } : undefined;
}

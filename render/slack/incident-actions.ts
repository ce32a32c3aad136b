import type { Button } from '@slack/web-api';
import { SNOOZES, type Snooze } from '../../domain/incident';

/**
 * The incident buttons' action ids, which handlers match exactly; every button's value is the
 * incident id. Messages already posted keep these ids: renaming one strands their buttons.
 */
export const INCIDENT_ACTIONS = {
  acknowledge: 'incident.acknowledge',
  snooze: { '30m': 'incident.snooze.30m', '1h': 'incident.snooze.1h', '2h': 'incident.snooze.2h' } satisfies Record<Snooze, string>,
} as const;

export function acknowledgeButton(incidentId: string): Button {
  return { type: 'button', action_id: INCIDENT_ACTIONS.acknowledge, style: 'primary', text: { type: 'plain_text', text: 'Acknowledge' }, value: incidentId };
}

/** Only the commander may snooze (domain/incident-authority.ts): anyone else's click is refused and told why. */
export function snoozeButtons(incidentId: string): Button[] {
  return SNOOZES.map((snooze) => ({ type: 'button', action_id: INCIDENT_ACTIONS.snooze[snooze], text: { type: 'plain_text', text: `Snooze ${snooze}` }, value: incidentId }));
}

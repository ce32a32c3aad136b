import type { WebClient } from '@slack/web-api';
import { ActRefusedError, actOnIncident } from '../client/incident-act';
import type { ActArgs, ActName } from '../domain/incident-act';
import type { IncidentView } from '../domain/incident';
import { line } from '../render/slack/mrkdwn';
import type { SlackAppDeps } from './deps';
import { tellUser } from './tell-user';

/** Said when an incident button or reaction is used without a store: acts find their incident's run there. */
export const NO_INCIDENT_STORE = 'Incidents need the store, and this Slack app has none (DATABASE_URL is not set). Use `secops` where the store is configured.';

/**
 * Does `action` on an incident as the Slack user Bolt verified, signed with the app's key.
 * The incident's Update validator decides; a refusal, or a failure, is told to that person
 * alone. The incident's view once it counted, else undefined.
 */
export async function actAsSlackUser<A extends ActName>(
  deps: SlackAppDeps, slack: WebClient, where: { user: string; channel?: string }, incidentId: string, action: A, args: ActArgs<A>,
): Promise<IncidentView | undefined> {
  if (!deps.db) {
    await tellUser(slack, where, NO_INCIDENT_STORE);
    return undefined;
  }
  try {
    return await actOnIncident({ client: deps.client, db: deps.db, signer: deps.signer }, incidentId, action, args, `slack:${where.user}`);
  } catch (error) {
    const refused = error instanceof ActRefusedError;
    const reason = error instanceof Error ? error.message : String(error);
    await tellUser(slack, where, `${refused ? ':no_entry: Not done' : ':warning: Could not be recorded'} (${action}): ${line(reason, 1500)}`);
    return undefined;
  }
}

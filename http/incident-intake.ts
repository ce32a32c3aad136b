import type { Client } from '@temporalio/client';
import { receiveAlerts } from '../client/alert-intake';
import type { Store } from '../client/store';
import type { Config } from '../domain/config';
import type { AlertIntake } from './alert-intake';

/**
 * The AlertIntake that opens incidents: each group routed by the config's `incidents.routes`
 * and signalled to its one run (client/alert-intake.ts).
 *
 * Authorization: an alert carries no person, so `incident.start` for alerts is the hook's
 * authentication and nothing more — the Alertmanager bearer token or a Standard Webhooks
 * signature. Whoever holds the token or a secret may open incidents, but only through a
 * route the config defines (the routes are the allow-list: playbook, input, severity and
 * responders come from the config, never from the alert), and whatever a playbook then does
 * to the world still waits on its approvals. The config's `authorization` rules govern people.
 */
export function incidentIntake(deps: { client: Client; config: Config; db: Store }): AlertIntake {
  return { receive: (alerts, delivery) => receiveAlerts(deps, alerts, delivery) };
}

import type { Client } from '@temporalio/client';
import { receiveAlerts } from '../client/alert-intake';
import { startAlertDispatcher } from '../client/alert-dispatcher';
import type { Store } from '../client/store';
import type { Config } from '../domain/config';
import type { AlertIntake } from './alert-intake';

/**
 * The AlertIntake that opens incidents: each group routed by the config's `incidents.routes`,
 * kept in the store's outbox, and signalled to its one run by the dispatcher that runs beside
 * the server (client/alert-intake.ts, client/alert-dispatcher.ts) until it closes.
 *
 * Authorization: an alert carries no person, so `incident.start` for alerts is the hook's
 * authentication and nothing more — the Alertmanager bearer token or a Standard Webhooks
 * signature. Whoever holds the token or a secret may open incidents, but only through a
 * route the config defines (the routes are the allow-list: playbook, input, severity and
 * responders come from the config, never from the alert), and whatever a playbook then does
 * to the world still waits on its approvals. The config's `authorization` rules govern people.
 */
export function incidentIntake(deps: { client: Client; config: Config; db: Store; log?: (line: string) => void }): AlertIntake {
  const dispatcher = startAlertDispatcher(deps);
  return {
    receive: (alerts, delivery) => receiveAlerts({ ...deps, queued: dispatcher.wake }, alerts, delivery),
    close: () => dispatcher.stop(),
  };
}

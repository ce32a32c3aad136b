import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A notification as Alertmanager posts it (payload version 4): one firing alert (endsAt is
 * Go's zero time), one resolved, and `notification_reason`, a field this code does not read.
 */
export const ALERTMANAGER_WEBHOOK = readFileSync(join(__dirname, '..', 'fixtures', 'alertmanager', 'webhook-v4.json'), 'utf8');
export const ALERTMANAGER_GROUP_KEY = '{}/{severity="critical"}:{alertname="HighErrorRate"}';

/** The fixture as loosely typed JSON, for tests that break one field of it. */
export interface AlertmanagerJson {
  alerts: AlertJson[];
  commonLabels: Record<string, unknown>;
  [field: string]: unknown;
}
export interface AlertJson {
  labels: Record<string, unknown>;
  annotations: Record<string, unknown>;
  [field: string]: unknown;
}

/** The fixture, changed by `change`. */
export function alertmanagerJson(change: (payload: AlertmanagerJson) => void = () => undefined): AlertmanagerJson {
  const payload = JSON.parse(ALERTMANAGER_WEBHOOK) as AlertmanagerJson;
  change(payload);
  return payload;
}

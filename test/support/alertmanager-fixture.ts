import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from '../../domain/alert';

/**
 * A notification as Alertmanager posts it (payload version 4): one firing alert (endsAt is
 * Go's zero time), one resolved, and `notification_reason`, a field this code does not read.
 */
export const ALERTMANAGER_WEBHOOK = readFileSync(join(__dirname, '..', 'fixtures', 'alertmanager', 'webhook-v4.json'), 'utf8');
export const ALERTMANAGER_GROUP_KEY = '{}/{severity="critical"}:{alertname="HighErrorRate"}';

/** The fixture's first (firing) alert, as the platform reads it. */
export const ALERTMANAGER_FIRING_ALERT: Alert = {
  source: 'alertmanager',
  dedupKey: ALERTMANAGER_GROUP_KEY,
  status: 'firing',
  title: 'High error rate on checkout (api-1:9100)',
  labels: { alertname: 'HighErrorRate', instance: 'api-1:9100', job: 'api', service: 'checkout', severity: 'critical' },
  annotations: {
    description: '5xx responses are 12.5% of all responses over the last 5 minutes.',
    runbook_url: 'https://runbooks.example/high-error-rate',
    summary: 'High error rate on checkout (api-1:9100)',
  },
  startsAt: '2024-05-01T12:00:00.123Z',
  fingerprint: '6a3f1cde9b27a0c4',
  generatorUrl: 'http://prometheus.example:9090/graph?g0.expr=job%3Aerrors%3Aratio5m+%3E+0.05&g0.tab=1',
};

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

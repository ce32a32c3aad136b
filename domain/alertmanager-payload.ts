import { z } from 'zod';
import {
  ALERT_LIMITS,
  alertStatusSchema,
  alertTitle,
  annotationsSchema,
  dedupKeySchema,
  fingerprintSchema,
  labelsSchema,
  linkSchema,
  parseAlertInput,
  timestampSchema,
  type Alert,
} from './alert';
import { TEXT_CAPS } from './bounded-text';

/**
 * Prometheus Alertmanager's webhook payload, version "4". Objects are loose: newer
 * Alertmanagers add fields (`notification_reason`), and a receiver that refused them would
 * lose alerts on an upgrade, since Alertmanager retries a 5xx but never a 4xx (it logs the
 * answer's body instead, which is why refusals name the field).
 */

// Alertmanager sends "" when an alert has no generator (one posted to its API by hand).
const generatorUrlSchema = z.union([z.literal('').transform(() => undefined), linkSchema]);

const alertmanagerAlertSchema = z.looseObject({
  status: alertStatusSchema,
  labels: labelsSchema,
  annotations: annotationsSchema,
  startsAt: timestampSchema,
  /** `0001-01-01T00:00:00Z` (Go's zero time) while the alert fires. */
  endsAt: timestampSchema,
  generatorURL: generatorUrlSchema,
  /** Alertmanager's hash of the alert's labels: one alert across notifications. */
  fingerprint: fingerprintSchema,
});

export const alertmanagerPayloadSchema = z.looseObject({
  version: z.literal('4', { error: 'must be "4" (this endpoint reads Alertmanager webhook payload version 4)' }),
  /** Identifies the alert group: the same group notifies again (repeat_interval, retries) with the same key. */
  groupKey: dedupKeySchema,
  /** Alerts Alertmanager left out because of the receiver's `max_alerts`. */
  truncatedAlerts: z.number().int().min(0),
  status: alertStatusSchema,
  receiver: z.string().max(TEXT_CAPS.name),
  groupLabels: labelsSchema,
  commonLabels: labelsSchema,
  commonAnnotations: annotationsSchema,
  externalURL: z.string().max(ALERT_LIMITS.url),
  alerts: z
    .array(alertmanagerAlertSchema)
    .min(1, 'must hold at least one alert')
    .max(ALERT_LIMITS.alertsPerPost, `must hold at most ${ALERT_LIMITS.alertsPerPost} alerts (set the receiver's max_alerts)`),
});

export type AlertmanagerPayload = z.output<typeof alertmanagerPayloadSchema>;

/** Parsed JSON as an Alertmanager payload, or a ValidationError naming each bad field. */
export function parseAlertmanagerPayload(json: unknown): AlertmanagerPayload {
  return parseAlertInput(alertmanagerPayloadSchema, json, 'Alertmanager webhook payload');
}

/** One Alert per alert of the group, each deduplicated by the group's key. */
export function alertsFromAlertmanager(payload: AlertmanagerPayload): Alert[] {
  return payload.alerts.map((alert) => {
    const normalized: Alert = {
      source: 'alertmanager',
      dedupKey: payload.groupKey,
      status: alert.status,
      title: alertTitle(alert.annotations.summary || alert.labels.alertname || 'Alertmanager alert'),
      labels: alert.labels,
      annotations: alert.annotations,
      fingerprint: alert.fingerprint,
    };
    if (alert.startsAt) normalized.startsAt = alert.startsAt;
    if (alert.endsAt) normalized.endsAt = alert.endsAt;
    if (alert.generatorURL) normalized.generatorUrl = alert.generatorURL;
    return normalized;
  });
}

import { z } from 'zod';
import {
  ALERT_LIMITS,
  alertStatusSchema,
  annotationsSchema,
  dedupKeySchema,
  fingerprintSchema,
  labelsSchema,
  linkSchema,
  parseAlertInput,
  timestampSchema,
  titleSchema,
  type Alert,
} from './alert';
import { SEVERITIES } from './finding';

/**
 * The body of a generic signed alert (`POST /hooks/events`, Standard Webhooks signature): one
 * alert per delivery, for any source that is not Alertmanager. Strict, unlike Alertmanager's
 * payload: this format is ours, so an unknown field is a sender's typo, not a newer version.
 *
 * ```json
 * {
 *   "title": "Login failures above threshold on sso",
 *   "dedupKey": "sso-login-failures",
 *   "status": "firing",
 *   "severity": "high",
 *   "labels": { "service": "sso", "env": "prod" },
 *   "annotations": { "runbook": "https://wiki.example/runbooks/sso" },
 *   "startsAt": "2024-05-01T12:00:00Z"
 * }
 * ```
 *
 * - `dedupKey`: the same key again (a repeat, a retry, the resolution) means the same alert.
 * - `status`: `firing` or `resolved`.
 * - `severity`: one of info, low, medium, high, critical; carried as the `severity` label.
 * - `labels` identify the alert, `annotations` describe it; both string to string.
 * - `startsAt`, `endsAt`: RFC 3339; `fingerprint`, `generatorUrl` (http(s)) are optional too.
 */
export const genericAlertPayloadSchema = z
  .strictObject({
    title: titleSchema,
    dedupKey: dedupKeySchema,
    status: alertStatusSchema,
    severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }).optional(),
    labels: labelsSchema.default({}),
    annotations: annotationsSchema.default({}),
    startsAt: timestampSchema.optional(),
    endsAt: timestampSchema.optional(),
    fingerprint: fingerprintSchema.optional(),
    generatorUrl: linkSchema.optional(),
  })
  .superRefine((payload, ctx) => {
    const labelled = payload.labels.severity;
    if (!payload.severity || labelled === payload.severity) return;
    if (labelled !== undefined) ctx.addIssue({ code: 'custom', path: ['severity'], message: `says "${payload.severity}" but labels.severity says "${labelled}"` });
    else if (Object.keys(payload.labels).length >= ALERT_LIMITS.entries) ctx.addIssue({ code: 'custom', path: ['severity'], message: `would be a label too many (labels are limited to ${ALERT_LIMITS.entries})` });
  });

export type GenericAlertPayload = z.output<typeof genericAlertPayloadSchema>;

/** Parsed JSON as a generic alert, or a ValidationError naming each bad field. */
export function parseGenericAlertPayload(json: unknown): GenericAlertPayload {
  return parseAlertInput(genericAlertPayloadSchema, json, 'alert event');
}

export function alertFromGenericPayload(payload: GenericAlertPayload): Alert {
  const { severity, labels, ...rest } = payload;
  const alert: Alert = { source: 'webhook', ...rest, labels: severity ? { ...labels, severity } : labels };
  for (const key of ['startsAt', 'endsAt', 'fingerprint', 'generatorUrl'] as const) if (alert[key] === undefined) delete alert[key];
  return alert;
}

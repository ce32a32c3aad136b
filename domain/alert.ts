import { z } from 'zod';
import { TEXT_CAPS, TRUNCATION_MARK, boundedText } from './bounded-text';
import { firstPrototypeKeyPath, isPrototypeKey, prototypeKeyProblem } from './prototype-keys';
import { ValidationError, problemsFromZod } from './validation-error';

/**
 * The alert every source becomes (an Alertmanager group, a signed generic event): what the
 * incident intake reads, whoever sent it. Input over a limit is refused, never cut: a cut
 * key or label value would make a different alert, and the sender is told which field. Text
 * is cleaned of control characters as bounded-text.ts does; identifiers holding one are
 * refused. Only a title made from longer prose (an Alertmanager summary) is cut.
 */

export const ALERT_SOURCES = ['alertmanager', 'webhook'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];
export const ALERT_STATUSES = ['firing', 'resolved'] as const;

export const ALERT_LIMITS = {
  /** Alerts in one post; Alertmanager's receiver `max_alerts` should be at most this. */
  alertsPerPost: 1000,
  /** Labels of one alert, and annotations of one alert, each. */
  entries: 128,
  keyLength: 256,
  labelValue: 4096,
  /** Annotations are prose (descriptions, runbook text). */
  annotationValue: TEXT_CAPS.prose,
  title: TEXT_CAPS.name,
  /** Alertmanager's groupKey spells out the route and every grouping label. */
  dedupKey: 4096,
  fingerprint: 256,
  url: TEXT_CAPS.url,
} as const;

// Identifiers compare byte for byte downstream: a control character or a lone surrogate in one
// is refused rather than cleaned, so two different keys can never be made equal.
const UNFIT_IN_IDENTIFIER = /[\u0000-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function identifierSchema(max: number) {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !UNFIT_IN_IDENTIFIER.test(value), 'must not contain control characters or lone surrogates');
}

export const dedupKeySchema = identifierSchema(ALERT_LIMITS.dedupKey);
export const fingerprintSchema = identifierSchema(ALERT_LIMITS.fingerprint);
export const alertStatusSchema = z.enum(ALERT_STATUSES, { error: 'must be "firing" or "resolved"' });

const keySchema = identifierSchema(ALERT_LIMITS.keyLength);

function keyProblems(key: string): string[] {
  if (isPrototypeKey(key)) return [prototypeKeyProblem(key)];
  return (keySchema.safeParse(key).error?.issues ?? []).map((issue) => `key ${issue.message}`);
}

function textSchema(cap: number) {
  return z.string().max(cap, `must be at most ${cap} characters`).transform((text) => boundedText(text, cap));
}

/**
 * Keys are checked here rather than by z.record's key schema, whose failures read only
 * "Invalid key in record"; each problem is reported at its key's path.
 */
function stringMapSchema(valueCap: number) {
  return z.record(z.string(), textSchema(valueCap)).superRefine((map, ctx) => {
    const keys = Object.keys(map);
    if (keys.length > ALERT_LIMITS.entries) ctx.addIssue({ code: 'custom', message: `must have at most ${ALERT_LIMITS.entries} entries (has ${keys.length})` });
    for (const key of keys) {
      for (const message of keyProblems(key)) ctx.addIssue({ code: 'custom', path: [key], message });
    }
  });
}

export const labelsSchema = stringMapSchema(ALERT_LIMITS.labelValue);
export const annotationsSchema = stringMapSchema(ALERT_LIMITS.annotationValue);

/** One line: whitespace runs (line breaks included) become one space. */
export const titleSchema = textSchema(ALERT_LIMITS.title)
  .transform((title) => title.replace(/\s+/g, ' ').trim())
  .refine((title) => title.length > 0, 'must not be blank');

// The most a truncation mark can add, so a cut title still fits ALERT_LIMITS.title.
const MARK_ROOM = TRUNCATION_MARK(Number.MAX_SAFE_INTEGER).length;

/** A title made from prose of any length (an annotation), cut to fit titleSchema. */
export function alertTitle(prose: string): string {
  return boundedText(prose.replace(/\s+/g, ' ').trim(), ALERT_LIMITS.title - MARK_ROOM);
}

// Go's zero time.Time: Alertmanager's endsAt of a firing alert, "not known".
const GO_ZERO_TIME_MS = Date.parse('0001-01-01T00:00:00Z');

/** RFC 3339 with any offset and precision, as UTC milliseconds (`toISOString`); Go's zero time becomes absent. */
export const timestampSchema = z.iso
  .datetime({ offset: true, error: 'must be an RFC 3339 date-time (2024-05-01T12:00:00Z)' })
  .transform((text, ctx) => {
    const ms = Date.parse(text);
    if (ms === GO_ZERO_TIME_MS) return undefined;
    const iso = new Date(ms).toISOString();
    if (!/^\d{4}-/.test(iso)) {
      ctx.addIssue({ code: 'custom', message: 'must be between the years 1 and 9999 in UTC' });
      return z.NEVER;
    }
    return iso;
  });

/** A link shown to people: http(s) only, so no `javascript:` or `file:` ever reaches a page or a chat. */
export const linkSchema = z
  .string()
  .max(ALERT_LIMITS.url, `must be at most ${ALERT_LIMITS.url} characters`)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL');

export const alertSchema = z.strictObject({
  source: z.enum(ALERT_SOURCES),
  dedupKey: dedupKeySchema,
  status: alertStatusSchema,
  title: titleSchema,
  labels: labelsSchema,
  annotations: annotationsSchema,
  startsAt: timestampSchema.optional(),
  endsAt: timestampSchema.optional(),
  fingerprint: fingerprintSchema.optional(),
  generatorUrl: linkSchema.optional(),
});

export type Alert = z.output<typeof alertSchema>;

/**
 * Parsed JSON checked against `schema`, or a ValidationError listing every problem with its
 * path. Prototype-named keys are refused first: z.record drops a `__proto__` key without a
 * word, and a body is refused, never half-read.
 */
export function parseAlertInput<S extends z.ZodType>(schema: S, json: unknown, source: string): z.output<S> {
  const prototypeKey = firstPrototypeKeyPath(json);
  if (prototypeKey) throw new ValidationError(source, [{ path: prototypeKey.path, message: prototypeKeyProblem(prototypeKey.key) }]);
  const result = schema.safeParse(json);
  if (!result.success) throw new ValidationError(source, problemsFromZod(result.error));
  return result.data;
}

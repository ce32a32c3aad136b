import { createHmac, timingSafeEqual } from 'node:crypto';
import { fromBase64, toBase64 } from './base64';

/**
 * Standard Webhooks (standardwebhooks.com) signatures, as a receiver checks them: headers
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature` (space-separated
 * `v1,<base64>`), an HMAC-SHA256 of `<id>.<timestamp>.<raw body>` keyed with the bytes of a
 * `whsec_<base64>` secret. Several signatures and several secrets let a sender and a receiver
 * rotate keys without a gap: any v1 signature that matches any configured key passes.
 * Node's crypto in domain/ is fine for front ends; workflow code must not import this file.
 */

/** The spec's window, both ways: a captured delivery cannot be replayed later, nor pre-dated for later. */
export const WEBHOOK_TOLERANCE_S = 5 * 60;

const SECRET_PREFIX = 'whsec_';
// The spec asks for keys of 24 to 64 bytes; a shorter one is too easy to guess.
const KEY_BYTES = { min: 24, max: 64 };
// Bounds the HMAC comparisons one request can cause; rotation needs two or three.
const MAX_SIGNATURES = 16;
const HMAC_SHA256_BYTES = 32;
// Visible ASCII without '.': the id is the first field of the dot-joined signed content.
const ID = /^[\x21-\x2D\x2F-\x7E]{1,256}$/;
const TIMESTAMP = /^\d{1,12}$/;

export type WebhookRefusal = 'missing-header' | 'malformed-id' | 'malformed-timestamp' | 'stale-timestamp' | 'malformed-signature' | 'no-matching-signature';

export type WebhookVerification =
  | { ok: true; id: string; timestamp: number }
  | { ok: false; reason: WebhookRefusal; detail: string };

export interface WebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** What is wrong with a `whsec_` secret, never quoting it; undefined when it is usable. */
export function webhookSecretProblem(secret: string): string | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return `must start with "${SECRET_PREFIX}"`;
  const key = fromBase64(secret.slice(SECRET_PREFIX.length));
  if (!key) return `must be "${SECRET_PREFIX}" followed by base64`;
  if (key.length < KEY_BYTES.min || key.length > KEY_BYTES.max) return `must hold a key of ${KEY_BYTES.min} to ${KEY_BYTES.max} bytes (has ${key.length})`;
  return undefined;
}

/** The HMAC key of a `whsec_` secret; throws (without quoting the secret) when it is not one. */
export function webhookKey(secret: string): Buffer {
  const problem = webhookSecretProblem(secret);
  if (problem) throw new Error(`webhook secret ${problem}`);
  return Buffer.from(fromBase64(secret.slice(SECRET_PREFIX.length))!);
}

/** The `webhook-signature` value a sender holding `secret` writes: for tests, benches and local senders. */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  return `v1,${toBase64(hmac(webhookKey(secret), id, String(timestamp), body))}`;
}

export function verifyStandardWebhook(headers: WebhookHeaders, body: string | Buffer, keys: readonly Buffer[], nowMs: number): WebhookVerification {
  const { id, timestamp, signature } = headers;
  if (id === undefined) return refusal('missing-header', 'no webhook-id header');
  if (timestamp === undefined) return refusal('missing-header', 'no webhook-timestamp header');
  if (signature === undefined) return refusal('missing-header', 'no webhook-signature header');
  if (!ID.test(id)) return refusal('malformed-id', 'webhook-id must be 1 to 256 visible ASCII characters other than "."');
  if (!TIMESTAMP.test(timestamp)) return refusal('malformed-timestamp', 'webhook-timestamp must be whole Unix seconds');
  const skew = Number(timestamp) - nowMs / 1000;
  if (Math.abs(skew) > WEBHOOK_TOLERANCE_S) {
    return refusal('stale-timestamp', `webhook-timestamp is ${Math.round(Math.abs(skew))} s ${skew < 0 ? 'in the past' : 'in the future'}, more than ${WEBHOOK_TOLERANCE_S} s from this server's clock`);
  }
  const given = v1Signatures(signature);
  if (typeof given === 'string') return refusal('malformed-signature', given);
  for (const key of keys) {
    const expected = hmac(key, id, timestamp, body);
    // Every given signature is HMAC_SHA256_BYTES long (v1Signatures), so timingSafeEqual never throws.
    if (given.some((candidate) => timingSafeEqual(candidate, expected))) return { ok: true, id, timestamp: Number(timestamp) };
  }
  return refusal('no-matching-signature', 'no v1 signature matches a configured secret');
}

/**
 * The v1 signatures of a `webhook-signature` header, or what is wrong with it. Entries of
 * other versions (`v1a,` asymmetric signatures) are skipped, as the spec asks of receivers.
 */
function v1Signatures(header: string): Buffer[] | string {
  const entries = header.trim().split(/ +/);
  if (entries.length > MAX_SIGNATURES) return `webhook-signature has more than ${MAX_SIGNATURES} entries`;
  const signatures: Buffer[] = [];
  for (const entry of entries) {
    const comma = entry.indexOf(',');
    if (comma < 1) return 'webhook-signature entries must be "<version>,<base64 signature>"';
    if (entry.slice(0, comma) !== 'v1') continue;
    const bytes = fromBase64(entry.slice(comma + 1));
    if (!bytes || bytes.length !== HMAC_SHA256_BYTES) return `a v1 signature must be the base64 of ${HMAC_SHA256_BYTES} bytes (HMAC-SHA256)`;
    signatures.push(Buffer.from(bytes));
  }
  return signatures.length > 0 ? signatures : 'webhook-signature holds no v1 signature';
}

function hmac(key: Buffer, id: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

function refusal(reason: WebhookRefusal, detail: string): WebhookVerification {
  return { ok: false, reason, detail };
}

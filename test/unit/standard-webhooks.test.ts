import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerTokenMatches } from '../../domain/bearer-token';
import {
  WEBHOOK_TOLERANCE_S,
  signStandardWebhook,
  verifyStandardWebhook,
  webhookKey,
  webhookSecretProblem,
  type WebhookHeaders,
} from '../../domain/standard-webhooks';

// The Standard Webhooks specification's published test vector: matching it is what lets any
// sender using one of the specification's libraries reach POST /hooks/events.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const NOW_S = 1_750_000_000;
const NOW_MS = NOW_S * 1000;

function headers(overrides: Partial<WebhookHeaders> = {}, secret = VECTOR.secret): WebhookHeaders {
  return { id: 'msg_1', timestamp: String(NOW_S), signature: signStandardWebhook(secret, 'msg_1', NOW_S, '{}'), ...overrides };
}

describe('Standard Webhooks signatures', () => {
  it('reproduces and verifies the specification test vector', () => {
    expect(signStandardWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    const result = verifyStandardWebhook(
      { id: VECTOR.id, timestamp: String(VECTOR.timestamp), signature: VECTOR.signature },
      Buffer.from(VECTOR.body),
      [webhookKey(VECTOR.secret)],
      VECTOR.timestamp * 1000,
    );
    expect(result).toEqual({ ok: true, id: VECTOR.id, timestamp: VECTOR.timestamp });
  });

  it('accepts any v1 signature by any configured key, skipping other versions (key rotation)', () => {
    const [retired, current, next] = [newSecret(), newSecret(), newSecret()];
    const byRetired = signStandardWebhook(retired, 'msg_1', NOW_S, '{}');
    const byNext = signStandardWebhook(next, 'msg_1', NOW_S, '{}');
    const both = `v1a,c29tZXRoaW5nIGVsc2U= ${byRetired} ${byNext}`;
    expect(verifyStandardWebhook(headers({ signature: both }), '{}', [webhookKey(current), webhookKey(next)], NOW_MS).ok).toBe(true);
    expect(verifyStandardWebhook(headers({ signature: byRetired }), '{}', [webhookKey(current), webhookKey(next)], NOW_MS)).toMatchObject({ ok: false, reason: 'no-matching-signature' });
  });

  it('signs the raw bytes: a body changed by one byte, or another id or timestamp, does not verify', () => {
    const keys = [webhookKey(VECTOR.secret)];
    expect(verifyStandardWebhook(headers(), '{} ', keys, NOW_MS)).toMatchObject({ ok: false, reason: 'no-matching-signature' });
    expect(verifyStandardWebhook(headers({ id: 'msg_2' }), '{}', keys, NOW_MS)).toMatchObject({ ok: false, reason: 'no-matching-signature' });
    expect(verifyStandardWebhook(headers({ timestamp: String(NOW_S + 1) }), '{}', keys, NOW_MS)).toMatchObject({ ok: false, reason: 'no-matching-signature' });
  });

  it(`takes timestamps up to ${WEBHOOK_TOLERANCE_S} s away in either direction, and refuses the rest`, () => {
    const keys = [webhookKey(VECTOR.secret)];
    for (const skew of [-WEBHOOK_TOLERANCE_S, WEBHOOK_TOLERANCE_S]) {
      const at = NOW_S + skew;
      const signed = headers({ timestamp: String(at), signature: signStandardWebhook(VECTOR.secret, 'msg_1', at, '{}') });
      expect(verifyStandardWebhook(signed, '{}', keys, NOW_MS).ok).toBe(true);
    }
    for (const [skew, direction] of [[-WEBHOOK_TOLERANCE_S - 1, 'in the past'], [WEBHOOK_TOLERANCE_S + 1, 'in the future']] as const) {
      const at = NOW_S + skew;
      const signed = headers({ timestamp: String(at), signature: signStandardWebhook(VECTOR.secret, 'msg_1', at, '{}') });
      const result = verifyStandardWebhook(signed, '{}', keys, NOW_MS);
      expect(result).toMatchObject({ ok: false, reason: 'stale-timestamp' });
      expect(result.ok || result.detail).toContain(direction);
    }
  });

  it.each<[string, Partial<WebhookHeaders>, string]>([
    ['no webhook-id', { id: undefined }, 'missing-header'],
    ['no webhook-timestamp', { timestamp: undefined }, 'missing-header'],
    ['no webhook-signature', { signature: undefined }, 'missing-header'],
    ['an empty webhook-id', { id: '' }, 'malformed-id'],
    ['a webhook-id with a dot', { id: 'msg.1' }, 'malformed-id'],
    ['a webhook-id with a space', { id: 'msg 1' }, 'malformed-id'],
    ['a webhook-id of 257 characters', { id: 'm'.repeat(257) }, 'malformed-id'],
    ['a timestamp written as a date', { timestamp: '2025-06-15T00:00:00Z' }, 'malformed-timestamp'],
    ['a timestamp in milliseconds', { timestamp: String(NOW_MS) }, 'malformed-timestamp'],
    ['a negative timestamp', { timestamp: '-1' }, 'malformed-timestamp'],
    ['a fractional timestamp', { timestamp: `${NOW_S}.5` }, 'malformed-timestamp'],
    ['a signature without a version', { signature: 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }, 'malformed-signature'],
    ['a v1 signature that is not base64', { signature: 'v1,not base64!' }, 'malformed-signature'],
    ['a v1 signature of the wrong length', { signature: 'v1,AAAA' }, 'malformed-signature'],
    ['only other versions', { signature: 'v1a,AAAA v2,BBBB' }, 'malformed-signature'],
    ['seventeen entries', { signature: Array(17).fill('v1,AAAA').join(' ') }, 'malformed-signature'],
  ])('refuses %s', (_name, overrides, reason) => {
    expect(verifyStandardWebhook(headers(overrides), '{}', [webhookKey(VECTOR.secret)], NOW_MS)).toMatchObject({ ok: false, reason });
  });

  it('refuses secrets that are not whsec_ with a 24 to 64 byte key, without quoting them', () => {
    expect(webhookSecretProblem(newSecret())).toBeUndefined();
    const cases: [string, string][] = [
      ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'must start with "whsec_"'],
      ['whsec_not*base64', 'followed by base64'],
      [`whsec_${randomBytes(16).toString('base64')}`, 'has 16'],
      [`whsec_${randomBytes(65).toString('base64')}`, 'has 65'],
    ];
    for (const [secret, problem] of cases) {
      expect(webhookSecretProblem(secret)).toContain(problem);
      expect(() => webhookKey(secret)).toThrow(problem);
      expect(() => webhookKey(secret)).not.toThrow(secret);
    }
  });
});

describe('bearer tokens', () => {
  const token = 'a'.repeat(40);

  it('matches `Bearer <token>` with the scheme in any case', () => {
    expect(bearerTokenMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerTokenMatches(`bearer ${token}`, token)).toBe(true);
  });

  it.each<[string, string | undefined]>([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', `Basic ${token}`],
    ['the token alone', token],
    ['a prefix of the token', `Bearer ${token.slice(1)}`],
    ['the token and more', `Bearer ${token}a`],
    ['two tokens', `Bearer ${token} ${token}`],
    ['an empty token', 'Bearer '],
  ])('refuses %s', (_name, header) => {
    expect(bearerTokenMatches(header, token)).toBe(false);
  });
});

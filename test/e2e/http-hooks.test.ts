import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../domain/alert';
import { signStandardWebhook } from '../../domain/standard-webhooks';
import type { AlertDelivery, AlertIntake, IntakeResult } from '../../http/alert-intake';
import { DEFAULT_MAX_BODY_BYTES, createHttpServer } from '../../http/server';
import { ALERTMANAGER_FIRING_ALERT, ALERTMANAGER_GROUP_KEY, ALERTMANAGER_WEBHOOK as ALERTMANAGER_BODY, alertmanagerJson, type AlertmanagerJson } from '../support/alertmanager-fixture';

/**
 * The alert webhooks on a real socket (127.0.0.1), with an intake that records what it is
 * handed. Every refusal is checked twice: the status and error the sender sees, and that the
 * intake was never called.
 */

const TOKEN = randomBytes(32).toString('hex');
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const [RETIRED, CURRENT, NEXT] = [newSecret(), newSecret(), newSecret()];
// Logs may say that a body was refused, never what it held: this marker must never show up in them.
const BODY_MARKER = `marker-${randomBytes(8).toString('hex')}`;
const EVENT = { title: `Login failures on sso ${BODY_MARKER}`, dedupKey: 'sso-login-failures', status: 'firing', severity: 'high', labels: { service: 'sso' } };

class RecordingIntake implements AlertIntake {
  calls: { alerts: Alert[]; delivery: AlertDelivery }[] = [];
  answer: () => Promise<IntakeResult> = async () => ({ status: 'accepted', incidents: ['incident-1'] });
  async receive(alerts: Alert[], delivery: AlertDelivery): Promise<IntakeResult> {
    this.calls.push({ alerts, delivery });
    return this.answer();
  }
}

interface Sent {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

const intake = new RecordingIntake();
const logs: string[] = [];
let server: FastifyInstance;
let base: string;

async function send({ method = 'POST', path, headers = {}, body }: Sent) {
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

const json = { 'content-type': 'application/json' };
const bearer = (token = TOKEN) => ({ ...json, authorization: `Bearer ${token}` });

function signed(body: string, options: { secrets?: string[]; id?: string; timestamp?: number } = {}): Record<string, string> {
  const id = options.id ?? `msg_${randomBytes(6).toString('hex')}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = (options.secrets ?? [CURRENT]).map((secret) => signStandardWebhook(secret, id, timestamp, body)).join(' ');
  return { ...json, 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}

function alertmanagerPayload(change: (payload: AlertmanagerJson) => void): string {
  return JSON.stringify(alertmanagerJson(change));
}

beforeAll(async () => {
  server = createHttpServer({ intake, alertmanagerToken: TOKEN, webhookSecrets: [CURRENT, NEXT], logger: (line) => logs.push(line) });
  await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  intake.calls = [];
  intake.answer = async () => ({ status: 'accepted', incidents: ['incident-1'] });
});

const eventBody = JSON.stringify(EVENT);
const now = () => Math.floor(Date.now() / 1000);

const REFUSED: Array<[name: string, request: () => Sent, status: number, error: string]> = [
  ['Alertmanager without a token', () => ({ path: '/hooks/alertmanager', headers: json, body: ALERTMANAGER_BODY }), 401, 'missing or invalid bearer token'],
  ['Alertmanager with a wrong token', () => ({ path: '/hooks/alertmanager', headers: bearer(randomBytes(32).toString('hex')), body: ALERTMANAGER_BODY }), 401, 'missing or invalid bearer token'],
  ['Alertmanager with the token as Basic credentials', () => ({ path: '/hooks/alertmanager', headers: { ...json, authorization: `Basic ${TOKEN}` }, body: ALERTMANAGER_BODY }), 401, 'missing or invalid bearer token'],
  ['Alertmanager with malformed JSON', () => ({ path: '/hooks/alertmanager', headers: bearer(), body: ALERTMANAGER_BODY.slice(0, -2) }), 400, 'body is not valid JSON'],
  ['Alertmanager with a body over 1 MiB', () => ({ path: '/hooks/alertmanager', headers: bearer(), body: `"${'x'.repeat(DEFAULT_MAX_BODY_BYTES)}"` }), 413, `body larger than ${DEFAULT_MAX_BODY_BYTES} bytes`],
  ['Alertmanager as text/plain', () => ({ path: '/hooks/alertmanager', headers: { ...bearer(), 'content-type': 'text/plain' }, body: ALERTMANAGER_BODY }), 415, 'content type must be application/json'],
  ['Alertmanager as a form', () => ({ path: '/hooks/alertmanager', headers: { ...bearer(), 'content-type': 'application/x-www-form-urlencoded' }, body: 'version=4' }), 415, 'content type must be application/json'],
  ['Alertmanager without a body', () => ({ path: '/hooks/alertmanager', headers: { authorization: `Bearer ${TOKEN}` } }), 415, 'content type must be application/json'],
  ['Alertmanager payload version "3"', () => ({ path: '/hooks/alertmanager', headers: bearer(), body: alertmanagerPayload((p) => { p.version = '3'; }) }), 400, 'Alertmanager webhook payload is invalid'],
  ['an Alertmanager alert with an unknown status', () => ({ path: '/hooks/alertmanager', headers: bearer(), body: alertmanagerPayload((p) => { p.alerts[0]!.status = 'pending'; }) }), 400, 'Alertmanager webhook payload is invalid'],
  ['an Alertmanager payload with a __proto__ label', () => ({ path: '/hooks/alertmanager', headers: bearer(), body: ALERTMANAGER_BODY.replace('"job": "api",', '"__proto__": {"x": 1}, "job": "api",') }), 400, 'Alertmanager webhook payload is invalid'],
  ['an event without signature headers', () => ({ path: '/hooks/events', headers: json, body: eventBody }), 401, 'signature verification failed (missing-header)'],
  ['an event signed over another body', () => ({ path: '/hooks/events', headers: signed(eventBody.replace('high', 'low')), body: eventBody }), 401, 'signature verification failed (no-matching-signature)'],
  ['an event signed by a rotated-out key', () => ({ path: '/hooks/events', headers: signed(eventBody, { secrets: [RETIRED] }), body: eventBody }), 401, 'signature verification failed (no-matching-signature)'],
  ['an event stamped ten minutes ago', () => ({ path: '/hooks/events', headers: signed(eventBody, { timestamp: now() - 600 }), body: eventBody }), 401, 'signature verification failed (stale-timestamp)'],
  ['an event stamped ten minutes ahead', () => ({ path: '/hooks/events', headers: signed(eventBody, { timestamp: now() + 600 }), body: eventBody }), 401, 'signature verification failed (stale-timestamp)'],
  ['an event with a malformed webhook-id', () => ({ path: '/hooks/events', headers: signed(eventBody, { id: 'msg.1' }), body: eventBody }), 401, 'signature verification failed (malformed-id)'],
  ['an event with a timestamp in milliseconds', () => ({ path: '/hooks/events', headers: { ...signed(eventBody), 'webhook-timestamp': String(Date.now()) }, body: eventBody }), 401, 'signature verification failed (malformed-timestamp)'],
  ['an event with a hex signature', () => ({ path: '/hooks/events', headers: { ...signed(eventBody), 'webhook-signature': `v1,${'ab'.repeat(32)}` }, body: eventBody }), 401, 'signature verification failed (malformed-signature)'],
  ['a signed event of malformed JSON', () => ({ path: '/hooks/events', headers: signed('{"title":'), body: '{"title":' }), 400, 'body is not valid JSON'],
  ['a signed event with an unknown field', () => ({ path: '/hooks/events', headers: signed('{"title":"t","dedupKey":"k","status":"firing","sev":1}'), body: '{"title":"t","dedupKey":"k","status":"firing","sev":1}' }), 400, 'alert event is invalid'],
  ['an event over 1 MiB', () => ({ path: '/hooks/events', headers: signed('x'), body: `"${'x'.repeat(DEFAULT_MAX_BODY_BYTES)}"` }), 413, `body larger than ${DEFAULT_MAX_BODY_BYTES} bytes`],
  ['an event as text/plain', () => ({ path: '/hooks/events', headers: { ...signed(eventBody), 'content-type': 'text/plain' }, body: eventBody }), 415, 'content type must be application/json'],
  ['GET on the Alertmanager hook', () => ({ method: 'GET', path: '/hooks/alertmanager', headers: bearer() }), 405, 'method not allowed (allowed: POST)'],
  ['PUT on the events hook', () => ({ method: 'PUT', path: '/hooks/events', headers: signed(eventBody), body: eventBody }), 405, 'method not allowed (allowed: POST)'],
  ['POST on the health check', () => ({ path: '/healthz', headers: bearer(), body: ALERTMANAGER_BODY }), 405, 'method not allowed (allowed: GET, HEAD)'],
  ['an unknown path', () => ({ path: '/hooks/pagerduty', headers: bearer(), body: ALERTMANAGER_BODY }), 404, 'no such endpoint'],
];

describe('http/ alert webhooks refuse bad input and call nothing', () => {
  it.each(REFUSED)('%s: %i', async (_name, request, status, error) => {
    const response = await send(request());
    expect(response.status).toBe(status);
    expect(response.json.error).toContain(error);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(intake.calls).toEqual([]);
  });

  it('asks for a bearer token when refusing Alertmanager', async () => {
    const response = await send({ path: '/hooks/alertmanager', headers: json, body: ALERTMANAGER_BODY });
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('names the fields at fault', async () => {
    const response = await send({ path: '/hooks/alertmanager', headers: bearer(), body: alertmanagerPayload((p) => { p.version = '3'; p.alerts[1]!.labels.severity = 7; }) });
    expect(response.json.problems).toEqual([
      { path: 'version', message: 'must be "4" (this endpoint reads Alertmanager webhook payload version 4)' },
      { path: 'alerts[1].labels.severity', message: 'Invalid input: expected string, received number' },
    ]);
  });

  it('lists at most 20 problems, and says how many more there are', async () => {
    const response = await send({ path: '/hooks/alertmanager', headers: bearer(), body: alertmanagerPayload((p) => { p.alerts = Array(30).fill({ ...p.alerts[0], status: 'pending' }); }) });
    expect(response.json.problems).toHaveLength(21);
    expect(response.json.problems[20]).toEqual({ path: '', message: 'and 10 more problems' });
  });
});

describe('http/ alert webhooks hand authenticated alerts to the intake', () => {
  it('passes an Alertmanager notification on as one alert per alert, and answers 202 with the result', async () => {
    const before = Date.now();
    const response = await send({ path: '/hooks/alertmanager', headers: { ...bearer(), 'content-type': 'application/json; charset=utf-8' }, body: ALERTMANAGER_BODY });
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ status: 'accepted', incidents: ['incident-1'] });
    expect(intake.calls).toHaveLength(1);
    const [{ alerts, delivery }] = intake.calls as [(typeof intake.calls)[number]];
    expect(delivery).toStrictEqual({ source: 'alertmanager', receivedAt: expect.any(Date) });
    expect(delivery.receivedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(delivery.receivedAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(alerts.map((a) => [a.status, a.fingerprint, a.dedupKey, a.endsAt])).toEqual([
      ['firing', '6a3f1cde9b27a0c4', ALERTMANAGER_GROUP_KEY, undefined],
      ['resolved', '0b8e44d1c9f2a761', ALERTMANAGER_GROUP_KEY, '2024-05-01T12:05:30.500Z'],
    ]);
    expect(alerts[0]).toStrictEqual(ALERTMANAGER_FIRING_ALERT);
  });

  it('takes an event signed by the second configured key, with its webhook-id as the delivery id', async () => {
    const headers = signed(eventBody, { secrets: [NEXT], id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' });
    const response = await send({ path: '/hooks/events', headers, body: eventBody });
    expect(response.status).toBe(202);
    expect(intake.calls).toStrictEqual([{
      alerts: [{ source: 'webhook', title: EVENT.title, dedupKey: 'sso-login-failures', status: 'firing', labels: { service: 'sso', severity: 'high' }, annotations: {} }],
      delivery: { source: 'webhook', deliveryId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', receivedAt: expect.any(Date) },
    }]);
  });

  it('takes an event carrying a retired and a current signature while a sender rotates', async () => {
    const response = await send({ path: '/hooks/events', headers: signed(eventBody, { secrets: [RETIRED, CURRENT] }), body: eventBody });
    expect(response.status).toBe(202);
    expect(intake.calls).toHaveLength(1);
  });

  it('answers a redelivery with what the intake says of it', async () => {
    intake.answer = async () => ({ status: 'duplicate', incidents: ['incident-1'] });
    const headers = signed(eventBody, { id: 'msg_again' });
    const response = await send({ path: '/hooks/events', headers, body: eventBody });
    expect(response).toMatchObject({ status: 202, json: { status: 'duplicate', incidents: ['incident-1'] } });
  });

  it('answers 503 when the intake fails, so the sender retries, and logs the failure without the body', async () => {
    intake.answer = async () => { throw new Error('Temporal is unreachable'); };
    const response = await send({ path: '/hooks/events', headers: signed(eventBody, { id: 'msg_fails' }), body: eventBody });
    expect(response).toMatchObject({ status: 503, json: { error: 'the alert intake is unavailable; retry later' } });
    expect(logs.at(-1)).toBe('http: the alert intake failed for 1 webhook alert(s) (delivery msg_fails): Temporal is unreachable');
  });

  it('answers the health check', async () => {
    expect(await send({ method: 'GET', path: '/healthz' })).toMatchObject({ status: 200, json: { status: 'ok' } });
  });

  it('never logged a body, a token or a secret', () => {
    const logged = logs.join('\n');
    expect(logs.length).toBeGreaterThan(10);
    for (const secret of [BODY_MARKER, TOKEN, RETIRED, CURRENT, NEXT, CURRENT.slice('whsec_'.length)]) expect(logged).not.toContain(secret);
  });
});

describe('http/ endpoints whose credential is not configured', () => {
  it('are not served at all: 404, and the intake is never called', async () => {
    const bare = createHttpServer({ intake, webhookSecrets: [] });
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const port = (bare.server.address() as AddressInfo).port;
    try {
      for (const path of ['/hooks/alertmanager', '/hooks/events']) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { ...bearer(''), ...signed(eventBody) }, body: eventBody });
        expect(response.status).toBe(404);
      }
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await bare.close();
    }
    expect(intake.calls).toEqual([]);
  });

  it('refuse to start with a secret that is not whsec_, without quoting it', () => {
    expect(() => createHttpServer({ intake, webhookSecrets: ['plain-shared-secret'] })).toThrow('webhook secret must start with "whsec_"');
    expect(() => createHttpServer({ intake, webhookSecrets: ['plain-shared-secret'] })).not.toThrow('plain-shared-secret');
  });
});

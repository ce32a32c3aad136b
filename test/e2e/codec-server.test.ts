import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodecServer } from '../../codec/codec-server';
import { parseKeyRing } from '../../domain/codec-keys';
import { EncryptionCodec } from '../../codec/payload-codec';

const token = randomBytes(32).toString('hex');
const uiOrigin = 'http://localhost:8233';
const b64 = (value: string) => Buffer.from(value).toString('base64');
const plain = { metadata: { encoding: b64('json/plain') }, data: b64('{"password":"hunter2"}') };

describe('codec server over real HTTP', () => {
  const server = createCodecServer({
    codec: new EncryptionCodec(parseKeyRing(`k1:${randomBytes(32).toString('base64')}`)),
    token,
    allowedOrigins: [uiOrigin],
    maxBodyBytes: 64 * 1024,
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, body: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body });

  it('answers 401 with an empty body to a missing or wrong token', async () => {
    const body = JSON.stringify({ payloads: [plain] });
    for (const authorization of [undefined, `Bearer ${token}x`, token, 'Bearer ']) {
      const response = await post('/decode', body, authorization === undefined ? {} : { authorization });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.text()).toBe('');
    }
  });

  it('answers a CORS preflight from the Temporal UI without a token, and no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
      });
    const allowed = await preflight(uiOrigin);
    expect(allowed.status).toBe(204);
    expect(Object.fromEntries(allowed.headers)).toMatchObject({
      'access-control-allow-origin': uiOrigin,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, x-namespace',
      vary: 'Origin',
    });
    const other = await preflight('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // The actual request carries the CORS headers too, or the browser hides the answer.
    const actual = await post('/decode', JSON.stringify({ payloads: [] }), { authorization: `Bearer ${token}`, origin: uiOrigin });
    expect(actual.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  });

  it('encodes then decodes back to the same proto3 JSON payloads, also under /{namespace}/', async () => {
    const encodedResponse = await post('/encode', JSON.stringify({ payloads: [plain] }));
    expect(encodedResponse.status).toBe(200);
    expect(encodedResponse.headers.get('cache-control')).toBe('no-store');
    const encoded = (await encodedResponse.json()) as { payloads: (typeof plain)[] };
    expect(encoded.payloads[0]!.metadata).toEqual({ encoding: b64('binary/encrypted'), 'encryption-key-id': b64('k1') });
    expect(Buffer.from(encoded.payloads[0]!.data, 'base64').includes('hunter2')).toBe(false);

    const decoded = await post('/default/decode', JSON.stringify(encoded));
    expect(decoded.status).toBe(200);
    expect(await decoded.json()).toEqual({ payloads: [plain] });
  });

  it('answers 400 to malformed JSON, a wrong shape and an undecryptable payload; 404, 405 and 413 where due', async () => {
    const malformed = await post('/decode', '{"payloads": [');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: 'body is not valid JSON' });
    const wrongShape = await post('/decode', JSON.stringify({ payloads: [{ data: 'not base64!' }] }));
    expect(wrongShape.status).toBe(400);
    expect(((await wrongShape.json()) as { error: string }).error).toMatch(/payloads\[0\]\.data: must be base64/);
    const foreign = { metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('gone') }, data: b64('x'.repeat(40)) };
    const undecryptable = await post('/decode', JSON.stringify({ payloads: [foreign] }));
    expect(undecryptable.status).toBe(400);
    expect(await undecryptable.json()).toEqual({ error: 'payload encrypted with key id "gone", which is not in the key ring' });

    expect((await post('/elsewhere', '{}')).status).toBe(404);
    expect((await fetch(`${base}/decode`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(405);
    expect((await post('/decode', JSON.stringify({ payloads: [{ data: 'A'.repeat(80 * 1024) }] }))).status).toBe(413);
  });
});

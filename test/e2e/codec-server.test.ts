import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodecServer } from '../../codec/codec-server';
import { isPortFree } from '../../processes/port';
import { parseKeyRing } from '../../domain/codec-keys';
import { EncryptionCodec } from '../../codec/payload-codec';
import { freePort } from '../support/ports';
import { runEntry, spawnEntry } from '../support/run-cli';

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

interface CodecProcess {
  base: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** codec/main.ts as deployed, on a port of this test file's own. */
async function startCodecProcess(env: NodeJS.ProcessEnv, args: string[] = []): Promise<CodecProcess> {
  const port = await freePort();
  const child = spawnEntry(['codec/main.ts', '--port', String(port), ...args], env);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const listening = new Promise<boolean>((resolve) => {
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      if (output.includes('codec-server: listening')) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  if (!(await listening)) throw new Error(`codec server did not start:\n${output}`);
  return { base: `http://127.0.0.1:${port}`, child, output: () => output, exited };
}

/** A payload in the protocol's proto3 JSON: base64 data and metadata values. */
interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

describe('codec server process (codec/main.ts)', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  // What a deployment that rotated its codec key runs with: new key first, old one still decrypting.
  const env = { SECOPS_CODEC_KEYS: `new:${newKey},old:${oldKey}`, SECOPS_CODEC_SERVER_TOKEN: token, TEMPORAL_UI_URL: '' };
  const secret = { password: `pw-${randomBytes(8).toString('hex')}` };
  let server: CodecProcess;
  let encrypted: JsonPayload;

  beforeAll(async () => {
    // As docker-compose.yml runs it: the compose Temporal UI's origin, given with a trailing slash.
    server = await startCodecProcess(env, ['--host', '127.0.0.1', '--origin', 'http://localhost:8080/']);
    // Written by a worker before the rotation, when `old` was the only key.
    const [payload] = await new EncryptionCodec(parseKeyRing(`old:${oldKey}`)).encode([defaultPayloadConverter.toPayload(secret)]);
    encrypted = {
      metadata: Object.fromEntries(Object.entries(payload!.metadata!).map(([key, value]) => [key, Buffer.from(value!).toString('base64')])),
      data: Buffer.from(payload!.data!).toString('base64'),
    };
  });
  afterAll(() => server?.child.kill('SIGKILL'));

  const decode = (headers: Record<string, string>) =>
    fetch(`${server.base}/default/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ payloads: [encrypted] }) });

  it('decrypts a payload of a rotated-out key for a caller with the token, and encrypts with the current key', async () => {
    const response = await decode({ authorization: `Bearer ${token}` });
    expect(response.status, server.output()).toBe(200);
    const { payloads } = (await response.json()) as { payloads: JsonPayload[] };
    expect(payloads).toHaveLength(1);
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toEqual(secret);

    const encoded = await fetch(`${server.base}/encode`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ payloads: [plain] }) });
    expect(((await encoded.json()) as { payloads: JsonPayload[] }).payloads[0]!.metadata['encryption-key-id']).toBe(b64('new'));
  });

  it('answers 401 and no plaintext without the right token', async () => {
    const wrong = [`Bearer ${randomBytes(32).toString('hex')}`, `Bearer ${token.slice(0, -1)}`, token];
    for (const headers of [{}, ...wrong.map((authorization) => ({ authorization }))]) {
      const response = await decode(headers);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('');
    }
  });

  it("answers a browser's CORS preflight from the configured Temporal UI origin only", async () => {
    const preflight = (base: string, origin: string) =>
      fetch(`${base}/default/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
      });
    const allowed = await preflight(server.base, 'http://localhost:8080');
    expect(allowed.status).toBe(204);
    expect(Object.fromEntries(allowed.headers)).toMatchObject({
      'access-control-allow-origin': 'http://localhost:8080',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': expect.stringContaining('authorization'),
    });
    // --origin replaces the default (the dev server's UI); a look-alike origin is not the same origin.
    for (const origin of ['http://localhost:8233', 'http://localhost:8080.evil.example', 'https://localhost:8080']) {
      expect((await preflight(server.base, origin)).headers.get('access-control-allow-origin'), origin).toBeNull();
    }

    // Without --origin, the origin of TEMPORAL_UI_URL (where run links point) is the one allowed.
    const fromEnv = await startCodecProcess({ ...env, TEMPORAL_UI_URL: 'https://temporal.example.test/namespaces/default/workflows' });
    try {
      expect((await preflight(fromEnv.base, 'https://temporal.example.test')).headers.get('access-control-allow-origin')).toBe('https://temporal.example.test');
      expect((await preflight(fromEnv.base, 'http://localhost:8233')).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      fromEnv.child.kill('SIGKILL');
    }
  });

  it('refuses to start with a missing or weak token, a bad key ring or origin: exit 2, the reason, nothing listening', async () => {
    const weakToken = 'short-token-value';
    const shortKey = randomBytes(16).toString('base64');
    const cases = [
      { env: { ...env, SECOPS_CODEC_SERVER_TOKEN: '' }, args: [], reason: 'SECOPS_CODEC_SERVER_TOKEN: required by the codec server' },
      { env: { ...env, SECOPS_CODEC_KEYS: '' }, args: [], reason: 'SECOPS_CODEC_KEYS: required by the codec server' },
      { env: { ...env, SECOPS_CODEC_SERVER_TOKEN: weakToken }, args: [], reason: 'SECOPS_CODEC_SERVER_TOKEN: must be at least 32 characters' },
      { env: { ...env, SECOPS_CODEC_KEYS: `new:${shortKey}` }, args: [], reason: 'SECOPS_CODEC_KEYS: entry 1 (key id "new"): key is 16 bytes, AES-256 needs 32' },
      { env, args: ['--origin', 'ftp://localhost:8080'], reason: '--origin is invalid:\n  - ftp://localhost:8080 is not an http(s) origin' },
    ];
    await Promise.all(cases.map(async ({ env: badEnv, args, reason }) => {
      const port = await freePort();
      const result = await runEntry(['codec/main.ts', '--port', String(port), ...args], badEnv);
      const output = `${result.stdout}${result.stderr}`;
      expect(result.code, output).toBe(2);
      expect(result.stderr).toMatch(/^error: /);
      expect(result.stderr).toContain(reason);
      expect(output).not.toContain('listening');
      for (const secretValue of [newKey, shortKey, oldKey, weakToken, token]) expect(output).not.toContain(secretValue);
      expect(await isPortFree(port)).toBe(true);
    }));
  });

  it('stops on SIGTERM and exits 0', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited, server.output()).toBe(0);
    expect(server.output()).toContain('codec-server: stopped');
  });
});

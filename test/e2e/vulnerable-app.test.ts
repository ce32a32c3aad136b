import { once } from 'node:events';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortFree } from '../../processes/port';
import { startVulnerableApp, type VulnerableApp } from '../../demo/vulnerable-app';
import { freePort } from '../support/ports';
import { spawnEntry } from '../support/run-cli';

const SECURITY_HEADERS = ['x-frame-options', 'content-security-policy', 'x-content-type-options', 'strict-transport-security'];

/** The error code of a TCP connection attempt, or 'connected'. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('deliberately vulnerable demo app', () => {
  let app: VulnerableApp;
  const get = (path: string) => fetch(new URL(path, app.url), { redirect: 'manual' });

  beforeAll(async () => {
    app = await startVulnerableApp({ port: 0 });
  });
  afterAll(() => app?.stop());

  it('links every flaw from the index page with plain links and a GET form', async () => {
    const response = await get('/');
    const body = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    for (const href of ['/search?q=shoes', '/product?id=1', '/redirect?url=/']) expect(body).toContain(`href="${href}"`);
    expect(body).toContain('<form action="/search" method="get"><input name="q"');
  });

  it('reflects the search term unescaped (XSS)', async () => {
    const response = await get(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<b><script>alert(1)</script></b>');
  });

  it('shows the product for a valid id', async () => {
    const response = await get('/product?id=1');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<h1>Trail shoes</h1><p>$89.90</p>');
    expect((await get('/product?id=99')).status).toBe(404);
  });

  it('concatenates the id into SQL and prints the raw PostgreSQL error with 500 (SQL injection)', async () => {
    const quote = await get(`/product?id=${encodeURIComponent("1'")}`);
    expect(quote.status).toBe(500);
    // The line Wapiti's error-based sql module matches (`PostgreSQL.*?ERROR`).
    expect(await quote.text()).toContain(`PostgreSQL ERROR:  unterminated quoted string at or near "'" (SQLSTATE 42601)`);
    const syntax = await get(`/product?id=${encodeURIComponent('1 OR OR 1')}`);
    expect(syntax.status).toBe(500);
    expect(await syntax.text()).toContain('PostgreSQL ERROR:  syntax error at or near "OR"');
  });

  it('lets injected SQL run, but not sleep: every sleep function is refused before it runs', async () => {
    const always = await get(`/product?id=${encodeURIComponent('0 OR id = 2')}`);
    expect(await always.text()).toContain('<h1>Rain jacket</h1>');
    // PostgreSQL checks EXECUTE before the first call: a permission error means no sleep began.
    const payloads = {
      pg_sleep: '1 AND 1 = (SELECT 1 FROM pg_sleep(5))',
      pg_sleep_for: "1 AND 1 = (SELECT 1 FROM pg_sleep_for('5 seconds'))",
      pg_sleep_until: "1 AND 1 = (SELECT 1 FROM pg_sleep_until(now() + interval '5 seconds'))",
    };
    for (const [fn, payload] of Object.entries(payloads)) {
      const sleepy = await get(`/product?id=${encodeURIComponent(payload)}`);
      expect(sleepy.status, fn).toBe(500);
      expect(await sleepy.text(), fn).toContain(`PostgreSQL ERROR:  permission denied for function ${fn} (SQLSTATE 42501)`);
    }
  });

  it('sends none of the security headers on any page', async () => {
    for (const path of ['/', '/search?q=shoes', '/product?id=1', "/product?id=1'", '/redirect?url=/', '/missing']) {
      const response = await get(path);
      for (const header of SECURITY_HEADERS) expect(response.headers.get(header), `${header} on ${path}`).toBeNull();
    }
  });

  it('redirects to any URL it is given (open redirect)', async () => {
    const target = 'https://evil.example/phish?a=1&b=2';
    const response = await get(`/redirect?url=${encodeURIComponent(target)}`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(target);
  });

  it('percent-encodes what a header cannot carry, so CR/LF cannot add headers', async () => {
    const response = await get(`/redirect?url=${encodeURIComponent('/x\r\nSet-Cookie: injected=1 ¿')}`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/x%0D%0ASet-Cookie:%20injected=1%20%C2%BF');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('sets a session cookie without HttpOnly or Secure on the index page', async () => {
    const [cookie, ...rest] = (await get('/')).headers.getSetCookie();
    expect(rest).toEqual([]);
    expect(cookie).toMatch(/^shop_session=[0-9a-f]{32}; Path=\/$/);
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(app.url).toBe(`http://127.0.0.1:${app.port}/`);
    expect(await tryConnect('127.0.0.1', app.port)).toBe('connected');
    // On Linux all of 127.0.0.0/8 reaches this host: a wildcard listener would accept here.
    expect(await tryConnect('127.0.0.2', app.port)).not.toBe('connected');
    const others = Object.values(networkInterfaces()).flatMap((list) => list ?? []).filter((a) => !a.internal && a.family === 'IPv4');
    for (const { address } of others) expect(await tryConnect(address, app.port), address).not.toBe('connected');
  });
});

describe('demo/main.ts', () => {
  it('prints the URL, serves, and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const child = spawnEntry(['demo/main.ts', '--port', String(port)]);
    const exited = once(child, 'exit');
    try {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      expect((await lines.next()).value).toBe(`vulnerable demo app: http://127.0.0.1:${port}/`);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
      child.kill('SIGTERM');
      expect((await lines.next()).value).toBe('vulnerable demo app stopped');
      expect(await exited).toEqual([0, null]);
      expect(await isPortFree(port)).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses a port that is not a number with exit code 2', async () => {
    const child = spawnEntry(['demo/main.ts', '--port', 'http']);
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    expect(await once(child, 'exit')).toEqual([2, null]);
    expect(stderr).toContain('--port http: must be a port number');
  });
});

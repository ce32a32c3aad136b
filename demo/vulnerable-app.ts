/**
 * DELIBERATELY VULNERABLE web app: the target of the DAST demo and the e2e scans.
 * For local scanning only. It binds the loopback address only (127.0.0.1, never 0.0.0.0)
 * so nothing off this machine can reach it. Never deploy it, never bind it elsewhere.
 *
 * Each flaw is one a scanner must find, reachable from `/` by plain links and a GET form:
 *   /search?q=…       reflected XSS (q echoed into HTML unescaped)
 *   /product?id=…     SQL injection, error-based (id concatenated into SQL; the raw
 *                     PostgreSQL error is printed with HTTP 500)
 *   /redirect?url=…   open redirect (302 to url, unvalidated)
 *   /file?name=…      path traversal (name resolved against the documents folder unchecked;
 *                     the files are a made-up in-memory set, see fake-files.ts)
 *   /ping?host=…      command execution (host pasted into a command line; the "shell" is
 *                     a pretend one with a few made-up commands, see fake-shell.ts)
 *   every page        no X-Frame-Options, Content-Security-Policy, X-Content-Type-Options
 *                     or Strict-Transport-Security; `/` sets a cookie without HttpOnly/Secure
 * Pages are tiny and few so a full scan stays quick.
 *
 * `release: 'next'` serves the app as its next release would be, for scans that compare
 * two releases (coverage-aware diff): /search escapes q (the XSS is really fixed) and the
 * product pages are gone (no link to them, /product answers 404), everything else as is.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite, messages } from '@electric-sql/pglite';
import { readDocument } from './fake-files';
import { runFakeShell } from './fake-shell';

export interface VulnerableApp {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

const INDEX = `<h1>Acme Outdoor Shop</h1>
<form action="/search" method="get"><input name="q" value=""><button>Search</button></form>
<ul>
<li><a href="/search?q=shoes">Search for shoes</a></li>
<li><a href="/product?id=1">Trail shoes</a></li>
<li><a href="/redirect?url=/">Back to the shop</a></li>
<li><a href="/file?name=shipping.txt">Shipping terms</a></li>
<li><a href="/ping?host=warehouse.local">Is the warehouse online?</a></li>
</ul>`;

/** Escapes text placed between tags; used everywhere except where a flaw is intended. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function page(response: ServerResponse, status: number, title: string, body: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(`<!doctype html><html><head><title>${title}</title></head><body>${body}<p><a href="/">Home</a></p></body></html>`);
}

/**
 * The app reads through a least-privilege role that may not call pg_sleep: PGlite runs
 * PostgreSQL on this process's only thread, so a time-based payload (sleep 6+ seconds)
 * would freeze every page for every request and turn a seconds-long scan into minutes.
 */
async function openShopDatabase(): Promise<PGlite> {
  const db = await PGlite.create();
  await db.exec(`
    CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, price numeric(8, 2) NOT NULL);
    INSERT INTO products VALUES (1, 'Trail shoes', 89.90), (2, 'Rain jacket', 129.00);
    CREATE ROLE shop;
    GRANT SELECT ON products TO shop;
    REVOKE EXECUTE ON FUNCTION pg_sleep(double precision), pg_sleep_for(interval), pg_sleep_until(timestamptz) FROM PUBLIC;
    SET ROLE shop;
  `);
  return db;
}

async function product(db: PGlite, id: string, response: ServerResponse): Promise<void> {
  // The flaw: id is pasted into the SQL text instead of being passed as a parameter.
  const sql = `SELECT id, name, price FROM products WHERE id = ${id}`;
  try {
    const { rows } = await db.query<{ id: number; name: string; price: string }>(sql);
    const found = rows[0];
    if (!found) return page(response, 404, 'Not found', '<p>No such product.</p>');
    page(response, 200, escapeHtml(found.name), `<h1>${escapeHtml(found.name)}</h1><p>$${found.price}</p>`);
  } catch (error) {
    if (!(error instanceof messages.DatabaseError)) throw error;
    // Part of the flaw: the raw database error goes to the client, on one line with
    // "PostgreSQL" and "ERROR" in libpq's format, which is what error-based scanners match.
    page(response, 500, 'Database error', `<pre>PostgreSQL ERROR:  ${escapeHtml(error.message)} (SQLSTATE ${escapeHtml(error.code ?? '')})\nquery: ${escapeHtml(sql)}</pre>`);
  }
}

function showDocument(name: string, response: ServerResponse): void {
  // The flaw: name may climb out of the documents folder (../../etc/passwd, /etc/passwd).
  const file = readDocument(name);
  if (!file) return page(response, 404, 'Not found', `<p>No document ${escapeHtml(name)}.</p>`);
  page(response, 200, 'Document', `<pre>${escapeHtml(file.content)}</pre>`);
}

function ping(host: string, response: ServerResponse): void {
  // The flaw: host is pasted into a command line a shell would run (here a pretend one).
  page(response, 200, 'Ping', `<pre>${escapeHtml(runFakeShell(`ping -c 1 ${host}`))}</pre>`);
}

async function route(db: PGlite, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', `http://${LOOPBACK}`);
  const param = (name: string) => url.searchParams.get(name) ?? '';
  switch (url.pathname) {
    case '/':
      response.setHeader('set-cookie', `shop_session=${randomBytes(16).toString('hex')}; Path=/`);
      return page(response, 200, 'Acme Outdoor Shop', INDEX);
    case '/search':
      return page(response, 200, 'Search', `<p>Results for <b>${param('q')}</b>: none.</p>`);
    case '/product':
      return product(db, param('id'), response);
    case '/redirect':
      // The flaw: any target is accepted, including another site. Only bytes a header
      // cannot carry are percent-encoded (as Express does), so the header stays valid.
      response.writeHead(302, { location: param('url').replace(/[^\x21-\x7e]/gu, encodeURIComponent) }).end();
      return;
    case '/file':
      return showDocument(param('name'), response);
    case '/ping':
      return ping(param('host'), response);
    default:
      return page(response, 404, 'Not found', '<p>Not found.</p>');
  }
}

/** The next release: what changed from the app above; every other page is route()'s. */
async function routeNextRelease(db: PGlite, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', `http://${LOOPBACK}`);
  switch (url.pathname) {
    case '/':
      response.setHeader('set-cookie', `shop_session=${randomBytes(16).toString('hex')}; Path=/`);
      return page(response, 200, 'Acme Outdoor Shop', INDEX.replace(/<li><a href="\/product[^\n]*\n/, ''));
    case '/search':
      return page(response, 200, 'Search', `<p>Results for <b>${escapeHtml(url.searchParams.get('q') ?? '')}</b>: none.</p>`);
    case '/product':
      return page(response, 404, 'Not found', '<p>Not found.</p>');
    default:
      return route(db, request, response);
  }
}

export async function startVulnerableApp(options: { port?: number; host?: typeof LOOPBACK; release?: 'current' | 'next' } = {}): Promise<VulnerableApp> {
  const host = options.host ?? LOOPBACK;
  const db = await openShopDatabase();
  const handle = options.release === 'next' ? routeNextRelease : route;
  const server = createServer((request, response) => {
    // Scanners send every malformed input there is: an unforeseen failure must cost one
    // request, never the process.
    handle(db, request, response).catch(() => {
      if (response.headersSent) response.destroy();
      else response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, resolve);
    });
  } catch (error) {
    await db.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    port,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await db.close();
    },
  };
}

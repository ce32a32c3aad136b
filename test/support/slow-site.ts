import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowSite {
  url: string;
  /** Slow pages make a scan last long enough to cancel or kill its worker mid-way. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** A loopback site of many linked pages, each answered after a delay the test controls. */
export async function startSlowSite(delayMs: number): Promise<SlowSite> {
  let delay = delayMs;
  const server = createServer((request, response) => {
    const page = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('page') ?? 0);
    const links = Array.from({ length: 8 }, (_, i) => `<a href="/?page=${page * 8 + i + 1}">page ${page * 8 + i + 1}</a>`).join(' ');
    setTimeout(() => response.writeHead(200, { 'content-type': 'text/html' }).end(`<html><body><h1>page ${page}</h1>${page < 200 ? links : ''}</body></html>`), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    setDelay: (ms) => (delay = ms),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

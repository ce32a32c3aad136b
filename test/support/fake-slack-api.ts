import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSlackApi {
  url: string;
  calls: { method: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

/**
 * A stand-in for the Slack Web API on loopback (given to clients as slackApiUrl): answers
 * `auth.test` for the one token it knows and `invalid_auth` for any other, like Slack.
 */
export async function startFakeSlackApi(validToken: string): Promise<FakeSlackApi> {
  const calls: FakeSlackApi['calls'] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    const method = (request.url ?? '').replace(/^\/(api\/)?/, '').split('?')[0] ?? '';
    calls.push({ method, authorization: request.headers.authorization });
    request.resume();
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      if (method !== 'auth.test') return response.end(JSON.stringify({ ok: false, error: 'unknown_method' }));
      if (request.headers.authorization !== `Bearer ${validToken}`) return response.end(JSON.stringify({ ok: false, error: 'invalid_auth' }));
      response.end(JSON.stringify({ ok: true, team: 'Acme Security', team_id: 'T0001', user: 'secops', user_id: 'U0BOT' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

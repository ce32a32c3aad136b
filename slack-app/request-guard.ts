import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, type HTTPReceiver } from '@slack/bolt';
import { ReplayCache } from './replay-cache';

/** Slack's own rule, applied both ways: a request stamped more than this from local time is refused. */
export const SLACK_REQUEST_WINDOW_S = 5 * 60;
/** Larger than any interaction payload Slack sends; a bigger body is not Slack's. */
const BODY_LIMIT = '1mb';

/**
 * Runs in front of Bolt's HTTP receiver. Bolt checks the signature, but accepts a timestamp
 * far in the future and cannot tell a replayed request from the original: here a request
 * must be signed with the signing secret, stamped within five minutes of local time in
 * either direction, and carry a signature not seen before. Refusals are 401 with no body,
 * before any listener runs. `ssl_check` pings (unsigned by design) go to Bolt as they are.
 */
export function guardSlackRequests(receiver: HTTPReceiver, signingSecret: string, options: { now?: () => number; log?: (line: string) => void } = {}): void {
  const now = options.now ?? Date.now;
  const replays = new ReplayCache(2 * SLACK_REQUEST_WINDOW_S * 1000 + 60_000);
  const handle = receiver.requestListener;
  receiver.requestListener = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return handle(req, res);
    let buffered: Awaited<ReturnType<typeof HTTPModuleFunctions.bufferIncomingMessage>>;
    try {
      buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, BODY_LIMIT);
    } catch {
      return refuse(res, 413);
    }
    const body = buffered.rawBody.toString('utf8');
    if (isSslCheck(req, body)) return handle(buffered, res);
    const problem = requestProblem(req, body, signingSecret, now(), replays);
    if (problem) {
      options.log?.(`slack app: refused a request: ${problem}`);
      return refuse(res, 401);
    }
    return handle(buffered, res);
  };
}

function requestProblem(req: IncomingMessage, body: string, signingSecret: string, nowMs: number, replays: ReplayCache): string | undefined {
  const timestamp = header(req, 'x-slack-request-timestamp');
  const signature = header(req, 'x-slack-signature');
  if (!timestamp || !signature) return 'no signature headers';
  if (!/^\d{1,12}$/.test(timestamp)) return 'malformed timestamp';
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SLACK_REQUEST_WINDOW_S) return `timestamp ${timestamp} is more than ${SLACK_REQUEST_WINDOW_S / 60} minutes from local time`;
  const expected = Buffer.from(`v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature does not match';
  // Only a verified signature is remembered: nobody can poison the cache without the secret.
  if (!replays.remember(signature, nowMs)) return 'replay of a request already handled';
  return undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function isSslCheck(req: IncomingMessage, body: string): boolean {
  return req.headers['content-type'] === 'application/x-www-form-urlencoded' && new URLSearchParams(body).get('ssl_check') === '1';
}

function refuse(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

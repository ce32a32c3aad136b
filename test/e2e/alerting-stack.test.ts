import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../processes/wait-until';
import { firingRule, startAlertingStack, type AlertingStack } from '../support/alerting';

/**
 * The real Prometheus and Alertmanager the incident-response tests rely on: a rule fires, and
 * Alertmanager posts, repeats and retries its webhook the way the `http/` receiver must expect.
 */

interface Post {
  at: number;
  headers: IncomingHttpHeaders;
  body: {
    version: string;
    status: string;
    groupKey: string;
    alerts: { status: string; labels: Record<string, string>; fingerprint: string; startsAt: string; endsAt: string }[];
  };
  answered: number;
}

/** A loopback webhook receiver that records every post and answers each with `statusFor(index)`. */
async function startReceiver(statusFor: (index: number) => number = () => 200) {
  const posts: Post[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answered = statusFor(posts.length);
      posts.push({ at: Date.now(), headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Post['body'], answered });
      response.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    posts,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

async function waitForPosts(receiver: Receiver, stack: AlertingStack, count: number, timeoutMs: number): Promise<Post[]> {
  await waitUntil(`${count} webhook post(s) from Alertmanager`, async () => receiver.posts.length >= count, timeoutMs).catch((error: Error) => {
    throw new Error(`${error.message} (got ${receiver.posts.length})\n${stack.logTail()}`);
  });
  return receiver.posts;
}

/** A counter from Alertmanager's own /metrics, for the one integration the stack configures. */
async function webhookCounter(stack: AlertingStack, name: string): Promise<number> {
  const text = await (await fetch(`${stack.alertmanagerUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{integration="webhook"} `));
  if (!line) throw new Error(`${name} not in Alertmanager's /metrics`);
  return Number(line.split(' ')[1]);
}

describe('a rule that always fires, with a receiver that answers 200', () => {
  const token = randomBytes(18).toString('base64url');
  let receiver: Receiver;
  let stack: AlertingStack;
  let readyAt: number;

  beforeAll(async () => {
    receiver = await startReceiver();
    stack = await startAlertingStack({ webhookUrl: receiver.url, bearerToken: token, rules: [firingRule()], repeatInterval: '5s' });
    readyAt = Date.now();
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('is posted by Alertmanager in webhook format 4 with the bearer token', async () => {
    const [first] = await waitForPosts(receiver, stack, 1, 15_000);
    expect(first!.headers.authorization).toBe(`Bearer ${token}`);
    expect(first!.headers['content-type']).toMatch(/^application\/json/);
    expect(first!.body).toMatchObject({ version: '4', status: 'firing', groupKey: expect.stringContaining('DemoServiceDown') });
    const [alert] = first!.body.alerts;
    expect(alert).toMatchObject({
      status: 'firing',
      labels: { alertname: 'DemoServiceDown', severity: 'critical', service: 'demo' },
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      endsAt: '0001-01-01T00:00:00Z',
    });
    expect(Date.parse(alert!.startsAt)).toBeLessThanOrEqual(first!.at);
    // Ready means Prometheus already knows its Alertmanager: the post follows within seconds.
    expect(first!.at - readyAt).toBeLessThan(5_000);
  });

  it('is posted again after repeat_interval, with the same group key and fingerprint', async () => {
    const [first, second] = await waitForPosts(receiver, stack, 2, 15_000);
    expect(second!.body.groupKey).toBe(first!.body.groupKey);
    expect(second!.body.alerts[0]!.fingerprint).toBe(first!.body.alerts[0]!.fingerprint);
    // A repeat, not a duplicate of the first post: it waits out the 5 s repeat_interval.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(4_500);
  });

  it('runs Alertmanager alone, without a gossip listener', async () => {
    const status = (await (await fetch(`${stack.alertmanagerUrl}/api/v2/status`)).json()) as { cluster: { status: string } };
    expect(status.cluster.status).toBe('disabled');
  });
});

describe('a receiver that answers 500 first', () => {
  let receiver: Receiver;
  let stack: AlertingStack;

  beforeAll(async () => {
    receiver = await startReceiver((index) => (index === 0 ? 500 : 200));
    // An hour between groups and repeats: any second post within seconds can only be a retry.
    stack = await startAlertingStack({
      webhookUrl: receiver.url, bearerToken: 'retry-token', rules: [firingRule()], groupInterval: '1h', repeatInterval: '1h',
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('gets the same notification again, retried by Alertmanager', async () => {
    const [failed, retried] = await waitForPosts(receiver, stack, 2, 15_000);
    expect(failed!.answered).toBe(500);
    expect(retried!.body.groupKey).toBe(failed!.body.groupKey);
    expect(retried!.body.alerts[0]!.fingerprint).toBe(failed!.body.alerts[0]!.fingerprint);
    expect(retried!.at - failed!.at).toBeLessThan(10_000);
    // One notification, two requests, one of them failed: a retry, not a new notification.
    expect(await webhookCounter(stack, 'alertmanager_notifications_total')).toBe(1);
    expect(await webhookCounter(stack, 'alertmanager_notification_requests_total')).toBe(2);
    expect(await webhookCounter(stack, 'alertmanager_notification_requests_failed_total')).toBe(1);
  });
});

it('refuses a rule Prometheus cannot parse, with promtool’s own message', async () => {
  const starting = startAlertingStack({
    webhookUrl: 'http://127.0.0.1:9/alerts', bearerToken: 'unused', rules: [firingRule({ expr: 'vector(1' })],
  });
  await expect(starting).rejects.toThrow(/promtool check rules .*unclosed left parenthesis/s);
});

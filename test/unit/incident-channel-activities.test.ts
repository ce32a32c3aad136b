import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncidentSlackActivities } from '../../activities/slack/incident-channel';
import type { IncidentView } from '../../domain/incident';
import { BOT_USER_ID, startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';

const BOT_TOKEN = 'test-bot-token-test-incident-channel';
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {} };

/**
 * The incident's Slack activities against the validating Slack API server, through the
 * retries a local activity gets: a repeated first announcement finds what the earlier
 * attempt made instead of making it twice.
 */
describe('incident Slack activities', () => {
  let api: SlackApiServer;
  let n = 0;

  beforeAll(async () => {
    api = await startSlackApiServer({
      botToken: BOT_TOKEN,
      channels: [{ id: 'C0NEWS', name: 'news', member: true }, { id: 'C0GONE', name: 'gone', member: true, archived: true }],
      users: { U0ALICE: { name: 'alice' }, U0BOB: { name: 'bob' }, U0CAROL: { name: 'carol' } },
    });
  });
  afterAll(() => api?.close());

  // No retries in the client: the activity's own retry (a new call) is what is tested.
  const activities = (options: { rejectRateLimitedCalls?: boolean } = {}) =>
    createIncidentSlackActivities(new WebClient(BOT_TOKEN, { slackApiUrl: api.url, retryConfig: { retries: 0 }, logger: quiet, ...options }), 'C0NEWS');
  // The SDK runtime's logger (test/support/quiet-runtime.ts): a passing test's activity logs stay out of the terminal.
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment(undefined, { logger: Runtime.instance().logger }).run(fn, ...args) as Promise<R>;

  function view(overrides: Partial<IncidentView> = {}): IncidentView {
    return {
      id: `inc-20250301-leak-${String(++n).padStart(6, '0')}`, title: 'Leak', playbook: 'drill', severity: 'SEV2', priority: 'P2', status: 'active',
      roles: { commander: 'slack:U0ALICE' }, participants: ['slack:U0ALICE', 'slack:U0BOB', 'cli:dave'], handoffs: [], milestones: {}, alertKeys: [], openTasks: [],
      createdAt: '2025-03-01T10:00:00.000Z', ...overrides,
    };
  }
  const statusPosts = (channel: string) => api.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.response.ok === true);

  it('opens the channel, invites its Slack people, posts and pins the status message, and tells the default channel once', async () => {
    const incident = view();
    const posted = await run(activities().announceIncident, { view: incident });
    const channel = api.conversation(incident.id)!;
    expect(posted).toEqual({ channel: channel.id, ts: channel.pins[0] });
    expect(channel.members).toEqual([BOT_USER_ID, 'U0ALICE', 'U0BOB']);
    expect(statusPosts(channel.id)).toHaveLength(1);
    expect(api.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0NEWS' && String(c.args.text).includes(`<#${channel.id}>`))).toHaveLength(1);
  });

  it('finds what an earlier attempt made when the first announcement is repeated: one channel, one message, pinned, one notice', async () => {
    const incident = view();
    // The first attempt fails at the pin, after the message is posted.
    api.rateLimit('pins.add', 1);
    await expect(run(activities({ rejectRateLimitedCalls: true }).announceIncident, { view: incident })).rejects.toThrow();
    const channel = api.conversation(incident.id)!;
    expect(channel.pins).toEqual([]);
    const retried = await run(activities().announceIncident, { view: incident });
    expect(statusPosts(channel.id)).toHaveLength(1);
    expect(retried).toEqual({ channel: channel.id, ts: statusPosts(channel.id)[0]!.response.ts });
    expect(api.conversation(incident.id)!.pins).toEqual([retried.ts]);
    expect(api.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0NEWS' && String(c.args.text).includes(`<#${channel.id}>`))).toHaveLength(0);
  });

  it('later: invites who joined since and updates the message in place; a deleted message is posted anew', async () => {
    const incident = view();
    const first = await run(activities().announceIncident, { view: incident });
    const later = { ...incident, participants: [...incident.participants, 'slack:U0CAROL' as const], statusMessage: { channel: first.channel!, ts: first.ts! } };
    expect(await run(activities().announceIncident, { view: later })).toEqual(first);
    expect(api.conversation(incident.id)!.members).toEqual([BOT_USER_ID, 'U0ALICE', 'U0BOB', 'U0CAROL']);
    expect(api.callsTo('chat.update').filter((c) => c.args.ts === first.ts).map((c) => c.problems)).toEqual([[]]);

    const deleted = { ...later, statusMessage: { channel: first.channel!, ts: '1.000001' } };
    const reposted = await run(activities().announceIncident, { view: deleted });
    expect(reposted.channel).toBe(first.channel);
    expect(reposted.ts).not.toBe(first.ts);
    expect(api.conversation(incident.id)!.pins).toEqual([first.ts, reposted.ts]);
  });

  it('without Slack, logs and returns nothing to keep', async () => {
    const none = createIncidentSlackActivities(undefined, 'C0NEWS');
    expect(await run(none.announceIncident, { view: view() })).toEqual({});
    expect(await run(none.remindCommander, { view: view() })).toEqual({ posted: false });
  });

  it('reminds in the incident channel; a channel Slack refuses is logged, not retried', async () => {
    const incident = view();
    const first = await run(activities().announceIncident, { view: incident });
    expect(await run(activities().remindCommander, { view: { ...incident, statusMessage: { channel: first.channel!, ts: first.ts! } } })).toEqual({ posted: true });
    expect(statusPosts(first.channel!).at(-1)!.args.text).toBe('Status update due: Leak');
    expect(await run(activities().remindCommander, { view: { ...incident, channel: 'C0GONE' } })).toEqual({ posted: false });
  });
});

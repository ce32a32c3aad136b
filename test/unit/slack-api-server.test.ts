import { ErrorCode, LogLevel, WebClient, type Button, type KnownBlock, type Logger, type ModalView } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../support/manual-clock';
import {
  BOT_USER_ID, RESPONSE_URL_LIFETIME_MS, RESPONSE_URL_USES, startSlackApiServer, TRIGGER_LIFETIME_MS, type SlackApiServer,
} from '../support/slack-api-server';

const BOT_TOKEN = 'test-bot-token-test-slack-api-server';
/** WebClient logs every refused call at error level; here refusals are what is tested. */
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {} };

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (action_id: string, text = 'Go'): Button => ({ type: 'button', action_id, text: { type: 'plain_text', text } });
const modal = (title = 'Reject request'): ModalView => ({
  type: 'modal', callback_id: 'approval.reject', private_metadata: 'run#1', title: { type: 'plain_text', text: title }, submit: { type: 'plain_text', text: 'Reject' },
  blocks: [{ type: 'input', block_id: 'reason', label: { type: 'plain_text', text: 'Reason' }, element: { type: 'plain_text_input', action_id: 'reason', multiline: true } }],
});

/** The fake Slack Web API itself, driven by the real WebClient the worker and Bolt use: each refusal Slack would give. */
describe('Slack API server', () => {
  let server: SlackApiServer;
  let slack: WebClient;
  const clock = manualClock();
  const client = (token: string) => new WebClient(token, { slackApiUrl: server.url, retryConfig: { retries: 0 }, logger: quiet });
  const postJson = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    server = await startSlackApiServer({
      botToken: BOT_TOKEN,
      now: clock.now,
      channels: [
        { id: 'C0SECOPS', name: 'secops', member: true },
        { id: 'C0GENERAL', name: 'general', member: false },
        { id: 'C0HIDDEN', name: 'hidden', member: false, private: true },
        { id: 'C0OLD', name: 'old', member: true, archived: true },
      ],
      users: { U0BOB: { name: 'bob' } },
      usergroups: { S0SECOPS: ['U0BOB', 'U0CAROL'] },
    });
    slack = client(BOT_TOKEN);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves under /api/ and answers auth.test for the bot token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(await slack.auth.test()).toMatchObject({ ok: true, user_id: BOT_USER_ID });
  });

  it('checks the bot token on every Web API method: invalid_auth for a wrong one, not_authed for none', async () => {
    const wrong = client('test-bot-token-wrong');
    await expect(wrong.chat.postMessage({ channel: 'C0SECOPS', text: 'hi' })).rejects.toMatchObject({ data: { ok: false, error: 'invalid_auth' } });
    await expect(wrong.views.open({ trigger_id: server.triggerId(), view: modal() })).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(wrong.usergroups.users.list({ usergroup: 'S0SECOPS' })).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    expect(server.callsTo('chat.postMessage').at(-1)?.problems).toEqual(['invalid_auth']);
    const unsigned = await fetch(`${server.url}auth.test`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(await unsigned.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  it('posts to a channel by name or id, answers with the id, and lets chat.update edit the message by that id only', async () => {
    const posted = await slack.chat.postMessage({ channel: '#secops', text: 'Approval needed', blocks: [section('Approve?'), { type: 'actions', elements: [button('approve')] }], unfurl_links: false });
    expect(posted).toMatchObject({ ok: true, channel: 'C0SECOPS', ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    const call = await server.waitForCall('chat.postMessage', (c) => c.response.ts === posted.ts);
    expect(call.args).toMatchObject({ channel: '#secops', text: 'Approval needed', unfurl_links: 'false' });
    expect(call.problems).toEqual([]);
    expect((await slack.chat.postMessage({ channel: 'secops', text: 'by bare name' })).channel).toBe('C0SECOPS');

    expect(await slack.chat.update({ channel: 'C0SECOPS', ts: posted.ts!, text: 'Approved' })).toMatchObject({ ok: true, ts: posted.ts });
    await expect(slack.chat.update({ channel: '#secops', ts: posted.ts!, text: 'Approved' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    await expect(slack.chat.update({ channel: 'C0SECOPS', ts: '1.000000', text: 'Approved' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
  });

  it('gives every message its own ts', async () => {
    const a = await slack.chat.postMessage({ channel: 'C0SECOPS', text: 'one' });
    const b = await slack.chat.postMessage({ channel: 'C0SECOPS', text: 'two' });
    expect(a.ts).not.toBe(b.ts);
  });

  it('refuses channels the bot cannot post to, as Slack does', async () => {
    await expect(slack.chat.postMessage({ channel: 'C0NOWHERE', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(slack.chat.postMessage({ channel: '#nowhere', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(slack.chat.postMessage({ channel: 'C0GENERAL', text: 'x' })).rejects.toMatchObject({ data: { error: 'not_in_channel' } });
    await expect(slack.chat.postMessage({ channel: '#general', text: 'x' })).rejects.toMatchObject({ data: { error: 'not_in_channel' } });
    // A private channel the bot is not in does not exist for it.
    await expect(slack.chat.postMessage({ channel: 'C0HIDDEN', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(slack.chat.postMessage({ channel: 'C0OLD', text: 'x' })).rejects.toMatchObject({ data: { error: 'is_archived' } });
    await expect(slack.chat.postEphemeral({ channel: 'C0GENERAL', user: 'U0BOB', text: 'x' })).rejects.toMatchObject({ data: { error: 'not_in_channel' } });
    expect(server.callsTo('chat.postMessage').filter((c) => c.args.text === 'x').every((c) => c.response.ok === false)).toBe(true);
  });

  it('posts to a user id in the app\'s DM with them, the same DM conversations.open answers', async () => {
    const posted = await slack.chat.postMessage({ channel: 'U0BOB', text: 'only you' });
    expect(posted.channel).toMatch(/^D/);
    expect((await slack.conversations.open({ users: 'U0BOB' })).channel?.id).toBe(posted.channel);
    expect(await slack.chat.postEphemeral({ channel: posted.channel!, user: 'U0BOB', text: 'hi' })).toMatchObject({ ok: true, message_ts: expect.any(String) });
  });

  it('refuses Block Kit beyond Slack\'s documented limits with invalid_blocks and says where', async () => {
    const refused = (blocks: KnownBlock[]) => slack.chat.postMessage({ channel: 'C0SECOPS', text: 'fallback', blocks });
    await expect(refused(Array.from({ length: 51 }, (_, i) => section(`line ${i}`)))).rejects.toMatchObject({
      data: { error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] no more than 50 items allowed [json-pointer:/blocks]'] } },
    });
    await expect(refused([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }])).rejects.toMatchObject({
      data: { response_metadata: { messages: ['[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]'] } },
    });
    await expect(refused([{ type: 'actions', elements: [button('vote'), button('vote')] }])).rejects.toMatchObject({
      data: { response_metadata: { messages: ['[ERROR] duplicate action_id vote [json-pointer:/blocks/0/elements/1/action_id]'] } },
    });
    await expect(refused([{ type: 'actions', elements: [button('long', 'b'.repeat(76))] }])).rejects.toMatchObject({
      data: { response_metadata: { messages: ['[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]'] } },
    });
    await expect(refused([{ type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } }])).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    await expect(refused([{ type: 'section', text: { type: 'mrkdwn', text: 'x', emoji: true } } as never])).rejects.toMatchObject({
      data: { response_metadata: { messages: ['[ERROR] unsupported field [json-pointer:/blocks/0/text/emoji]'] } },
    });
    await expect(refused([{ type: 'carousel' } as never])).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    await expect(slack.chat.postMessage({ channel: 'C0SECOPS', text: 't'.repeat(40_001) })).rejects.toMatchObject({ data: { error: 'msg_too_long' } });
    expect(await refused(Array.from({ length: 50 }, (_, i) => section(`line ${i}`)))).toMatchObject({ ok: true });
  });

  it('refuses missing required arguments with invalid_arguments', async () => {
    await expect(slack.apiCall('chat.postMessage', { text: 'where?' })).rejects.toMatchObject({ data: { error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: channel'] } } });
    await expect(slack.apiCall('chat.postMessage', { channel: 'C0SECOPS' })).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    await expect(slack.apiCall('chat.update', { channel: 'C0SECOPS', text: 'x' })).rejects.toMatchObject({ data: { response_metadata: { messages: ['[ERROR] missing required field: ts'] } } });
    await expect(slack.apiCall('chat.postEphemeral', { channel: 'C0SECOPS', text: 'x' })).rejects.toMatchObject({ data: { response_metadata: { messages: ['[ERROR] missing required field: user'] } } });
    await expect(slack.apiCall('views.open', { view: modal() })).rejects.toMatchObject({ data: { response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } } });
  });

  it('opens a modal once per issued trigger_id: a second use is exchanged, an unknown one invalid', async () => {
    const trigger = server.triggerId();
    expect(await slack.views.open({ trigger_id: trigger, view: modal() })).toMatchObject({ ok: true, view: { id: expect.stringMatching(/^V/), callback_id: 'approval.reject' } });
    expect(server.callsTo('views.open').at(-1)?.args.view).toEqual(modal());
    await expect(slack.views.open({ trigger_id: trigger, view: modal() })).rejects.toMatchObject({ data: { error: 'exchanged_trigger_id' } });
    await expect(slack.views.open({ trigger_id: '12345.98765.abcd2358fdea', view: modal() })).rejects.toMatchObject({ data: { error: 'invalid_arguments', response_metadata: { messages: ['invalid `trigger_id`'] } } });
  });

  it('expires a trigger_id 3 s after it was issued, on the server\'s clock', async () => {
    const inTime = server.triggerId();
    const late = server.triggerId();
    clock.advance(TRIGGER_LIFETIME_MS);
    expect(await slack.views.open({ trigger_id: inTime, view: modal() })).toMatchObject({ ok: true });
    clock.advance(1);
    await expect(slack.views.open({ trigger_id: late, view: modal() })).rejects.toMatchObject({ data: { error: 'expired_trigger_id' } });
  });

  it('refuses a modal beyond the view limits, and a modal where a home tab goes', async () => {
    await expect(slack.views.open({ trigger_id: server.triggerId(), view: modal('An accepted risk, forever') })).rejects.toMatchObject({
      data: { error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'] } },
    });
    await expect(slack.views.open({ trigger_id: server.triggerId(), view: { ...modal(), submit: undefined } })).rejects.toMatchObject({
      data: { response_metadata: { messages: [expect.stringContaining('[json-pointer:/view/submit]')] } },
    });
    expect(await slack.views.publish({ user_id: 'U0BOB', view: { type: 'home', blocks: Array.from({ length: 100 }, () => section('row')) } })).toMatchObject({ ok: true });
    await expect(slack.views.publish({ user_id: 'U0BOB', view: { type: 'home', blocks: Array.from({ length: 101 }, () => section('row')) } })).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    await expect(slack.views.publish({ user_id: 'U0BOB', view: modal() as never })).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
  });

  it('lists user group members as they are now, and refuses an unknown group with no_such_subteam', async () => {
    expect(await slack.usergroups.users.list({ usergroup: 'S0SECOPS' })).toMatchObject({ ok: true, users: ['U0BOB', 'U0CAROL'] });
    server.setUsergroupMembers('S0SECOPS', ['U0CAROL']);
    expect(await slack.usergroups.users.list({ usergroup: 'S0SECOPS' })).toMatchObject({ ok: true, users: ['U0CAROL'] });
    await expect(slack.usergroups.users.list({ usergroup: 'S0NOBODY' })).rejects.toMatchObject({ data: { error: 'no_such_subteam' } });
  });

  it('answers users.info for members only', async () => {
    expect(await slack.users.info({ user: 'U0BOB' })).toMatchObject({ ok: true, user: { id: 'U0BOB', name: 'bob' } });
    await expect(slack.users.info({ user: 'U0GHOST' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
  });

  it('refuses an unknown method', async () => {
    await expect(slack.apiCall('chat.postMesage', { channel: 'C0SECOPS', text: 'typo' })).rejects.toMatchObject({ data: { error: 'unknown_method' } });
  });

  it('answers HTTP 429 ratelimited with Retry-After for the next N calls of a method, then serves it again', async () => {
    server.rateLimit('chat.postMessage', 2, 7);
    const strict = new WebClient(BOT_TOKEN, { slackApiUrl: server.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, logger: quiet });
    await expect(strict.chat.postMessage({ channel: 'C0SECOPS', text: 'limited 1' })).rejects.toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
    const raw = await fetch(`${server.url}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'C0SECOPS', text: 'limited 2' }) });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('7');
    expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });
    expect(server.callsTo('chat.postMessage').slice(-2).map((c) => [c.status, c.problems])).toEqual([[429, ['ratelimited']], [429, ['ratelimited']]]);
    expect(await strict.chat.postMessage({ channel: 'C0SECOPS', text: 'served' })).toMatchObject({ ok: true });
    expect(await strict.auth.test()).toMatchObject({ ok: true });
  });

  it('records posts to a response_url it issued, checked like messages, and waits for calls still to come', async () => {
    const url = server.responseUrl('cmd-1');
    const coming = server.waitForCall('response_url', (c) => c.responseId === 'cmd-1');
    const body = { response_type: 'ephemeral', replace_original: false, text: 'Scan started', blocks: [section('Scan started')] };
    const response = await postJson(url, body);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect((await coming).args).toEqual(body);

    const bad = await postJson(server.responseUrl('cmd-2'), { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] });
    expect(await bad.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(server.callsTo('response_url').at(-1)).toMatchObject({ responseId: 'cmd-2', problems: [expect.stringContaining('less than 151 characters')] });
  });

  it('refuses a response_url it never issued, a sixth post, and a post after 30 minutes', async () => {
    const forged = await postJson(server.url.replace(/api\/$/, 'response/never-issued'), { text: 'hi' });
    expect(forged.status).toBe(404);
    expect(await forged.json()).toMatchObject({ ok: false, error: 'no_service' });

    const url = server.responseUrl('cmd-uses');
    for (let use = 1; use <= RESPONSE_URL_USES; use++) expect((await postJson(url, { text: `reply ${use}` })).status).toBe(200);
    const sixth = await postJson(url, { text: 'one too many' });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toMatchObject({ error: 'used_url' });

    const old = server.responseUrl('cmd-old');
    clock.advance(RESPONSE_URL_LIFETIME_MS);
    expect((await postJson(old, { text: 'just in time' })).status).toBe(200);
    clock.advance(1);
    const expired = await postJson(old, { text: 'too late' });
    expect(expired.status).toBe(404);
    expect(await expired.json()).toMatchObject({ error: 'expired_url' });
  });

  it('rejects waitForCall when no matching call comes in time', async () => {
    await expect(server.waitForCall('views.push', undefined, 50)).rejects.toThrow(/no matching views.push call within 50 ms/);
  });
});

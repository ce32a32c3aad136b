import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_USER_ID, startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';

const BOT_TOKEN = 'test-bot-token-test-slack-conversations';
/** WebClient logs every refused call at error level; here refusals are what is tested. */
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {} };

/** The fake's channels as incidents use them: created, joined, invited to, read back, pinned in — with the refusals Slack gives. */
describe('Slack API server: conversations and pins', () => {
  let server: SlackApiServer;
  let slack: WebClient;

  beforeAll(async () => {
    server = await startSlackApiServer({
      botToken: BOT_TOKEN,
      channels: [
        { id: 'C0SECOPS', name: 'secops', member: true, members: ['U0BOB'] },
        { id: 'C0GENERAL', name: 'general', member: false },
        { id: 'C0HIDDEN', name: 'hidden', member: false, private: true },
        { id: 'C0OLD', name: 'old', member: true, archived: true },
      ],
      users: { U0BOB: { name: 'bob' }, U0CAROL: { name: 'carol' } },
    });
    slack = new WebClient(BOT_TOKEN, { slackApiUrl: server.url, retryConfig: { retries: 0 }, logger: quiet });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('creates a public channel the bot is in; a taken (even archived) or invalid name is refused', async () => {
    const created = await slack.conversations.create({ name: 'inc-20250301-leak-a1b2c3', is_private: false });
    expect(created.channel).toMatchObject({ id: expect.stringMatching(/^C/), name: 'inc-20250301-leak-a1b2c3', is_member: true, is_private: false });
    expect(server.conversation('inc-20250301-leak-a1b2c3')).toMatchObject({ id: created.channel!.id, members: [BOT_USER_ID], pins: [] });
    await expect(slack.conversations.create({ name: 'inc-20250301-leak-a1b2c3' })).rejects.toMatchObject({ data: { error: 'name_taken' } });
    await expect(slack.conversations.create({ name: 'old' })).rejects.toMatchObject({ data: { error: 'name_taken' } });
    await expect(slack.conversations.create({ name: 'Has Spaces' })).rejects.toMatchObject({ data: { error: 'invalid_name_specials' } });
    await expect(slack.conversations.create({ name: 'x'.repeat(81) })).rejects.toMatchObject({ data: { error: 'invalid_name_maxlength' } });
  });

  it('lists, describes and joins the channels the bot can see', async () => {
    const listed = await slack.conversations.list({ types: 'public_channel', exclude_archived: true, limit: 2 });
    expect(listed.channels?.map((c) => c.name)).toEqual(['secops', 'general']);
    const next = await slack.conversations.list({ types: 'public_channel', exclude_archived: true, limit: 1000, cursor: listed.response_metadata!.next_cursor! });
    expect(next.channels?.map((c) => c.name)).toEqual(['inc-20250301-leak-a1b2c3']);
    expect(next.response_metadata?.next_cursor).toBe('');
    expect((await slack.conversations.info({ channel: 'C0GENERAL' })).channel).toMatchObject({ name: 'general', is_member: false });
    await expect(slack.conversations.info({ channel: 'C0HIDDEN' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(slack.conversations.join({ channel: 'C0OLD' })).rejects.toMatchObject({ data: { error: 'is_archived' } });
    expect((await slack.conversations.join({ channel: 'C0GENERAL' })).channel).toMatchObject({ is_member: true });
  });

  it('invites workspace members once: unknown users and the bot are refused unless forced, members already in are already_in_channel', async () => {
    expect((await slack.conversations.members({ channel: 'C0SECOPS' })).members).toEqual([BOT_USER_ID, 'U0BOB']);
    await expect(slack.conversations.invite({ channel: 'C0SECOPS', users: 'U0BOB' })).rejects.toMatchObject({ data: { error: 'already_in_channel' } });
    await expect(slack.conversations.invite({ channel: 'C0SECOPS', users: 'U0CAROL,U0NOBODY' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    await expect(slack.conversations.invite({ channel: 'C0SECOPS', users: BOT_USER_ID })).rejects.toMatchObject({ data: { error: 'cant_invite_self' } });
    expect(server.conversation('C0SECOPS')!.members).toEqual([BOT_USER_ID, 'U0BOB']);
    expect(await slack.conversations.invite({ channel: 'C0SECOPS', users: 'U0CAROL,U0NOBODY', force: true })).toMatchObject({ ok: true });
    expect(server.conversation('secops')!.members).toEqual([BOT_USER_ID, 'U0BOB', 'U0CAROL']);
    await expect(slack.conversations.invite({ channel: 'C0OLD', users: 'U0CAROL' })).rejects.toMatchObject({ data: { error: 'is_archived' } });
  });

  it('reads history newest first, bounded by latest (inclusive on demand), with people\'s messages and the app\'s', async () => {
    const first = server.postAsUser({ channel: 'C0SECOPS', user: 'U0BOB', text: 'first', ts: '1700000000.000100' });
    const second = server.postAsUser({ channel: 'C0SECOPS', user: 'U0CAROL', text: 'second', ts: '1700000000.000200' });
    const page = await slack.conversations.history({ channel: 'C0SECOPS', latest: second, inclusive: true, limit: 1 });
    expect(page).toMatchObject({ messages: [{ type: 'message', user: 'U0CAROL', text: 'second', ts: second }], has_more: true });
    expect((await slack.conversations.history({ channel: 'C0SECOPS', latest: second, limit: 1 })).messages).toMatchObject([{ ts: first }]);
    const posted = await slack.chat.postMessage({ channel: 'C0SECOPS', text: 'by the app' });
    expect((await slack.conversations.history({ channel: 'C0SECOPS', limit: 1 })).messages).toMatchObject([{ user: BOT_USER_ID, text: 'by the app', ts: posted.ts }]);
    await expect(slack.chat.update({ channel: 'C0SECOPS', ts: first, text: 'edited' })).rejects.toMatchObject({ data: { error: 'cant_update_message' } });
    await expect(slack.conversations.history({ channel: 'C0OLD' })).resolves.toMatchObject({ messages: [] });
  });

  it('pins an existing message once', async () => {
    const posted = await slack.chat.postMessage({ channel: 'C0SECOPS', text: 'status' });
    expect(await slack.pins.add({ channel: 'C0SECOPS', timestamp: posted.ts! })).toMatchObject({ ok: true });
    await expect(slack.pins.add({ channel: 'C0SECOPS', timestamp: posted.ts! })).rejects.toMatchObject({ data: { error: 'already_pinned' } });
    await expect(slack.pins.add({ channel: 'C0SECOPS', timestamp: '1.000001' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    await expect(slack.apiCall('pins.add', { channel: 'C0SECOPS' })).rejects.toMatchObject({ data: { error: 'no_item_specified' } });
    expect(server.conversation('C0SECOPS')!.pins).toEqual([posted.ts]);
  });
});

import { LogLevel, WebClient, type Button, type KnownBlock, type Logger } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingApproval } from '../../domain/approval';
import { approvalDecidedMessage, approvalRequestMessage } from '../../slack-app/blocks/approval-request';
import { acceptRiskModal } from '../../slack-app/blocks/triage-modals';
import { BOT_USER_ID, startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';

const BOT_TOKEN = 'test-bot-token-test-slack-api-server';
/** WebClient logs every refused call at error level; here refusals are what is tested. */
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {} };

const pending: PendingApproval = {
  approvalId: 'rotate-db#1', workflowId: 'rotate-db', action: 'rotation.promote', summary: 'Promote the new database password', risk: 'medium',
  requestedBy: 'schedule', quorum: 1, approvals: [], allowed: ['slack:U0BOB'], expiresAt: '2025-06-02T05:00:00.000Z',
};

/** The local Slack Web API, driven by the real WebClient the worker and Bolt use. */
describe('Slack API server', () => {
  let server: SlackApiServer;
  let slack: WebClient;
  const client = (token: string) => new WebClient(token, { slackApiUrl: server.url, retryConfig: { retries: 0 }, logger: quiet });
  const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const button = (action_id: string): Button => ({ type: 'button', action_id, text: { type: 'plain_text', text: 'Go' } });

  beforeAll(async () => {
    server = await startSlackApiServer({ botToken: BOT_TOKEN, users: { U0BOB: { name: 'bob' } }, usergroups: { S0SECOPS: ['U0BOB', 'U0CAROL'] } });
    slack = client(BOT_TOKEN);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves under /api/ and answers auth.test for the bot token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(await slack.auth.test()).toMatchObject({ ok: true, user_id: BOT_USER_ID });
  });

  it('posts a message, records its parsed args and lets chat.update edit it by the returned channel id', async () => {
    const message = approvalRequestMessage(pending, {});
    const posted = await slack.chat.postMessage({ channel: '#secops', ...message, unfurl_links: false });
    expect(posted).toMatchObject({ ok: true, channel: expect.stringMatching(/^C/), ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    const call = await server.waitForCall('chat.postMessage', (c) => c.response.ts === posted.ts);
    expect(call.args).toMatchObject({ channel: '#secops', text: message.text, blocks: message.blocks, unfurl_links: 'false' });
    expect(call.problems).toEqual([]);

    const decided = approvalDecidedMessage(pending, { approved: true, decidedBy: ['slack:U0BOB'], at: '2025-06-02T02:00:00.000Z', reason: 'looks right' });
    expect(await slack.chat.update({ channel: posted.channel ?? '', ts: posted.ts ?? '', ...decided })).toMatchObject({ ok: true, ts: posted.ts });
    expect(server.callsTo('chat.update').at(-1)?.args.blocks).toEqual(decided.blocks);
    await expect(slack.chat.update({ channel: '#secops', ts: posted.ts ?? '', ...decided })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
  });

  it('gives every message its own ts', async () => {
    const a = await slack.chat.postMessage({ channel: 'C0SECOPS', text: 'one' });
    const b = await slack.chat.postMessage({ channel: 'C0SECOPS', text: 'two' });
    expect(a.ts).not.toBe(b.ts);
    expect(a.channel).toBe('C0SECOPS');
  });

  it('refuses a wrong token with invalid_auth and records it as a problem', async () => {
    await expect(client('xoxb-wrong').chat.postMessage({ channel: 'C0SECOPS', text: 'hi' })).rejects.toMatchObject({ data: { ok: false, error: 'invalid_auth' } });
    expect(server.callsTo('chat.postMessage').at(-1)?.problems).toEqual(['invalid_auth']);
  });

  it('refuses 51 blocks with invalid_blocks and says why, like Slack', async () => {
    const blocks = Array.from({ length: 51 }, (_, i) => section(`line ${i}`));
    const refused = slack.chat.postMessage({ channel: 'C0SECOPS', text: 'long', blocks });
    await expect(refused).rejects.toMatchObject({ data: { error: 'invalid_blocks', response_metadata: { messages: [expect.stringContaining('at most 50 items')] } } });
    expect(server.callsTo('chat.postMessage').at(-1)?.problems).toEqual(['[ERROR] must have at most 50 items, has 51 [json-pointer:/blocks]']);
  });

  it('refuses duplicate action_ids within a block', async () => {
    const blocks: KnownBlock[] = [{ type: 'actions', elements: [button('approval.approve'), button('approval.approve')] }];
    await expect(slack.chat.postMessage({ channel: 'C0SECOPS', text: 'dup', blocks })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
  });

  it('refuses missing required arguments with invalid_arguments', async () => {
    await expect(slack.apiCall('chat.postMessage', { text: 'where?' })).rejects.toMatchObject({ data: { error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: channel'] } } });
    await expect(slack.apiCall('chat.postMessage', { channel: 'C0SECOPS' })).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    await expect(slack.apiCall('chat.update', { channel: 'C0SECOPS', text: 'x' })).rejects.toMatchObject({ data: { response_metadata: { messages: ['[ERROR] missing required field: ts'] } } });
    await expect(slack.apiCall('chat.postEphemeral', { channel: 'C0SECOPS', text: 'x' })).rejects.toMatchObject({ data: { response_metadata: { messages: ['[ERROR] missing required field: user'] } } });
    await expect(slack.apiCall('views.open', { view: acceptRiskModal('x') })).rejects.toMatchObject({ data: { response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } } });
  });

  it('answers chat.postEphemeral', async () => {
    expect(await slack.chat.postEphemeral({ channel: 'C0SECOPS', user: 'U0BOB', text: 'only you' })).toMatchObject({ ok: true, message_ts: expect.any(String) });
  });

  it('opens a valid modal and refuses an invalid one', async () => {
    const view = acceptRiskModal('{"t":"shop-staging","f":"ab"}');
    expect(await slack.views.open({ trigger_id: '123.456.abc', view })).toMatchObject({ ok: true, view: { id: expect.stringMatching(/^V/), callback_id: 'triage.accept-risk' } });
    expect(server.callsTo('views.open').at(-1)?.args.view).toEqual(view);
    const tooLong = { ...view, title: { type: 'plain_text' as const, text: 'An accepted risk, forever and ever' } };
    await expect(slack.views.open({ trigger_id: '123.456.abc', view: tooLong })).rejects.toMatchObject({ data: { error: 'invalid_arguments', response_metadata: { messages: [expect.stringContaining('/view/title/text')] } } });
  });

  it('publishes a home tab, and refuses a modal there', async () => {
    expect(await slack.views.publish({ user_id: 'U0BOB', view: { type: 'home', blocks: [section('Pending approvals: none')] } })).toMatchObject({ ok: true });
    await expect(slack.views.publish({ user_id: 'U0BOB', view: acceptRiskModal('x') as never })).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
  });

  it('lists user group members, and refuses an unknown group with no_such_subteam', async () => {
    expect(await slack.usergroups.users.list({ usergroup: 'S0SECOPS' })).toMatchObject({ ok: true, users: ['U0BOB', 'U0CAROL'] });
    await expect(slack.usergroups.users.list({ usergroup: 'S0NOBODY' })).rejects.toMatchObject({ data: { error: 'no_such_subteam' } });
  });

  it('answers users.info and opens stable DMs', async () => {
    expect(await slack.users.info({ user: 'U0BOB' })).toMatchObject({ ok: true, user: { id: 'U0BOB', name: 'bob' } });
    await expect(slack.users.info({ user: 'U0GHOST' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    const dm = await slack.conversations.open({ users: 'U0BOB' });
    expect(dm.channel?.id).toMatch(/^D/);
    expect((await slack.conversations.open({ users: 'U0BOB' })).channel?.id).toBe(dm.channel?.id);
  });

  it('refuses an unknown method', async () => {
    await expect(slack.apiCall('chat.postMesage', { channel: 'C0SECOPS', text: 'typo' })).rejects.toMatchObject({ data: { error: 'unknown_method' } });
  });

  it('records posts to a response_url, checked like messages, and waits for calls still to come', async () => {
    const coming = server.waitForCall('response_url', (c) => c.responseId === 'cmd-1');
    const body = { response_type: 'ephemeral', replace_original: false, text: 'Scan started', blocks: [section('Scan started')] };
    const response = await fetch(server.responseUrl('cmd-1'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await response.json()).toEqual({ ok: true });
    expect((await coming).args).toEqual(body);

    const bad = await fetch(server.responseUrl('cmd-2'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] }) });
    expect(await bad.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(server.callsTo('response_url').at(-1)).toMatchObject({ responseId: 'cmd-2', problems: [expect.stringContaining('at most 150 characters')] });
  });

  it('rejects waitForCall when no matching call comes in time', async () => {
    await expect(server.waitForCall('views.push', undefined, 50)).rejects.toThrow(/no matching views.push call within 50 ms/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../cli/port';
import { waitUntil } from '../../cli/wait-until';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api';
import { spawnEntry } from '../support/run-cli';
import { slackSignatureHeaders } from '../support/slack-signing';

const SIGNING_SECRET = 'test-signing-secret-not-real';
const BOT_TOKEN = 'xoxb-test-slack-app';

/** The Slack app process as `secops dev` starts it, reached the way Slack reaches it: signed HTTP. */
describe('Slack app entry (HTTP receiver)', () => {
  let slackApi: FakeSlackApi;
  let port: number;
  let app: ReturnType<typeof spawnEntry>;
  let output = '';

  beforeAll(async () => {
    slackApi = await startFakeSlackApi(BOT_TOKEN);
    port = await freePort();
    app = spawnEntry(['slack-app/main.ts'], { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_PORT: String(port), SLACK_API_URL: slackApi.url });
    app.stdout?.on('data', (chunk) => (output += chunk));
    app.stderr?.on('data', (chunk) => (output += chunk));
    await waitUntil('slack app', async () => output.includes('listening'), 30_000);
  });
  afterAll(async () => {
    app?.kill('SIGTERM');
    await slackApi?.close();
  });

  const command = new URLSearchParams({ command: '/secops', text: 'help', user_id: 'U123', team_id: 'T0001', channel_id: 'C1', response_url: 'http://127.0.0.1:1/unused', trigger_id: 't' }).toString();
  const post = (headers: Record<string, string>) =>
    fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: command });

  it('answers a correctly signed /secops command with an ephemeral usage message', async () => {
    const response = await post(slackSignatureHeaders(SIGNING_SECRET, command));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Usage: /secops') });
  });

  it('refuses a forged signature and a stale timestamp', async () => {
    expect((await post(slackSignatureHeaders('wrong-secret', command))).status).toBe(401);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 360;
    expect((await post(slackSignatureHeaders(SIGNING_SECRET, command, sixMinutesAgo))).status).toBe(401);
    expect(output).not.toContain(SIGNING_SECRET);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../support/ports';
import { waitUntil } from '../../processes/wait-until';
import { runEntry, spawnEntry } from '../support/run-cli';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import { BOT_TOKEN, postToSlackApp, SIGNING_SECRET, slashCommand } from '../support/slack-app-harness';
import { slackSignatureHeaders } from '../support/slack-signing';

/** The Slack app process as `secops dev` and docker-compose start it, reached the way Slack reaches it: signed HTTP. */
describe('Slack app entry (slack-app/main.ts, HTTP receiver)', () => {
  let api: SlackApiServer;
  let dir: string;
  let port: number;
  let app: ReturnType<typeof spawnEntry>;
  let exited: Promise<number | null>;
  let output = '';
  const env = () => ({
    SECOPS_CONFIG: join(dir, 'secops.config.yaml'), TEMPORAL_ADDRESS: inject('temporalAddress'),
    SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: api.url, SLACK_PORT: String(port),
  });

  beforeAll(async () => {
    api = await startSlackApiServer({ botToken: BOT_TOKEN });
    dir = mkdtempSync(join(tmpdir(), 'secops-slack-entry-'));
    writeFileSync(join(dir, 'secops.config.yaml'), 'version: 1\n');
    port = await freePort();
    app = spawnEntry(['slack-app/main.ts'], env());
    app.stdout?.on('data', (chunk) => (output += chunk));
    app.stderr?.on('data', (chunk) => (output += chunk));
    exited = new Promise((resolve) => app.once('exit', resolve));
    await waitUntil('slack app', async () => output.includes(`slack app: listening on :${port}/slack/events`), 60_000, exited);
  });
  afterAll(async () => {
    app?.kill('SIGKILL');
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const url = () => `http://127.0.0.1:${port}/slack/events`;
  const help = () => slashCommand({ text: 'help', user: 'U0REQUEST', triggerId: api.triggerId(), responseUrl: api.responseUrl('help') });

  it('answers a correctly signed /secops help with the ephemeral usage', async () => {
    const response = await postToSlackApp(url(), help());
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Usage: /secops') });
  });

  it('answers an unknown subcommand with the usage and the reason', async () => {
    const request = slashCommand({ text: 'deploy prod', user: 'U0REQUEST', triggerId: api.triggerId(), responseUrl: api.responseUrl('unknown') });
    expect(await (await postToSlackApp(url(), request)).json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('unknown command "deploy"') });
  });

  it('refuses a forged signature and a stale timestamp without printing the secret', async () => {
    const request = help();
    expect((await postToSlackApp(url(), request, slackSignatureHeaders('wrong-secret', request.body))).status).toBe(401);
    expect((await postToSlackApp(url(), request, slackSignatureHeaders(SIGNING_SECRET, request.body, Math.floor(Date.now() / 1000) - 360))).status).toBe(401);
    expect(output).not.toContain(SIGNING_SECRET);
  });

  it('stops cleanly on SIGTERM', async () => {
    app.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to start with an invalid config, saying why', async () => {
    writeFileSync(join(dir, 'invalid.yaml'), 'version: 2\n');
    const result = await runEntry(['slack-app/main.ts'], { ...env(), SECOPS_CONFIG: join(dir, 'invalid.yaml'), SLACK_PORT: String(await freePort()) }, 60_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('version');
    expect(result.stdout).not.toContain('listening');
  });
});

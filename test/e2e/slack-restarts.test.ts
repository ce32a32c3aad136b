import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { startProcess, type ManagedProcess } from '../../processes/child-process';
import { freePort } from '../support/ports';
import { toolPath } from '../../processes/tool-paths';
import { waitUntil } from '../../processes/wait-until';
import { DEV_SERVER_SEARCH_ATTRIBUTE_FLAGS } from '../../domain/search-attributes';
import { listAuditEvents } from '../../store/audit-events';
import { migrate } from '../../store/migrations';
import { APPROVAL_ACTIONS } from '../../render/slack/approval-request';
import { buttonsOf, pendingView, startApprovalRequest, type PostedApproval } from '../support/approval-requests';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { spawnEntry } from '../support/run-cli';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import {
  approvalConfig, APPROVALS, BOT_TOKEN, buttonClick, postToSlackApp, SIGNING_SECRET, startSlackApp, startSlackWorkers, uniqueTargetId,
} from '../support/slack-app-harness';
import { devServerClient, uniqueTaskQueues } from '../support/workers';
import { SLACK_APP_KEY, testKeyPem } from '../support/test-ballots';

const POLICY = { approvers: { users: ['UAPPROVER1'] } };

/**
 * Nothing that matters lives in the Slack app or survives only in a server's memory:
 * a pending approval outlives a restart of the Slack app process and of Temporal itself.
 */
describe('Slack app: restarts while an approval is pending', () => {
  let api: SlackApiServer;
  let fresh: FreshDatabase;
  const cleanups: (() => Promise<unknown>)[] = [];
  /** Stopped after everything else, so no worker or client outlives its server in a retry loop. */
  const servers: ManagedProcess[] = [];

  beforeAll(async () => {
    api = await startSlackApiServer({ botToken: BOT_TOKEN, channels: [APPROVALS] });
    fresh = await freshDatabase();
    await migrate(fresh.db);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    for (const server of servers) await server.stop();
    await fresh?.drop();
    await api?.close();
  });

  const clickApprove = (url: string, approval: PostedApproval) =>
    postToSlackApp(url, buttonClick({ actionId: APPROVAL_ACTIONS.approve, value: approval.approvalId, user: 'UAPPROVER1', triggerId: api.triggerId(), channel: approval.message.channel, messageTs: approval.message.ts }));

  async function expectApprovedInPlace(approval: PostedApproval): Promise<void> {
    await waitUntil('the query shows the decision', async () => (await pendingView(approval.handle, approval.approvalId)) === undefined, 30_000);
    const update = await api.waitForCall('chat.update', (c) => c.args.ts === approval.message.ts && c.args.channel === approval.message.channel, 30_000);
    expect(update.problems).toEqual([]);
    expect(update.args.text).toMatch(/^Approved/);
    expect(buttonsOf(update.args.blocks)).toEqual({});
    const votes = (await listAuditEvents(fresh.db, { subject: approval.approvalId })).filter((e) => e.action === 'approval.approve');
    expect(votes.map((e) => [e.actor, e.outcome])).toEqual([['slack:UAPPROVER1', 'allowed']]);
  }

  it('the slack-app process (main.ts) is stopped and a new one started: the click on the old message completes the approval', async () => {
    const client = await devServerClient();
    cleanups.push(() => client.connection.close());
    const taskQueues = uniqueTaskQueues();
    const workers = await startSlackWorkers({ address: inject('temporalAddress'), api, store: { db: fresh.db, url: fresh.url }, taskQueues });
    cleanups.push(() => workers.stop());
    const config = approvalConfig({ taskQueues, targetId: uniqueTargetId('restart-app'), targetPort: await freePort(), policy: POLICY });
    const dir = mkdtempSync(join(tmpdir(), 'secops-slack-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'secops.config.yaml'), JSON.stringify(config));
    const port = await freePort();
    const env = {
      SECOPS_CONFIG: join(dir, 'secops.config.yaml'), TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: fresh.url,
      SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: api.url, SLACK_PORT: String(port), SECOPS_SLACK_BALLOT_KEY: testKeyPem(SLACK_APP_KEY),
    };
    const startApp = async () => {
      const child = spawnEntry(['slack-app/main.ts'], env);
      let output = '';
      child.stdout?.on('data', (chunk) => (output += chunk));
      child.stderr?.on('data', (chunk) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      cleanups.push(async () => child.kill('SIGKILL'));
      await waitUntil(`slack app (${output})`, async () => output.includes(`slack app: listening on :${port}/slack/events`), 60_000, exited);
      return { stop: async () => (child.kill('SIGTERM'), exited), output: () => output };
    };
    const url = `http://127.0.0.1:${port}/slack/events`;

    const first = await startApp();
    const approval = await startApprovalRequest(client, api, config, 'slack:UREQUESTER');
    expect(await first.stop()).toBe(0);
    expect(first.output()).not.toContain(SIGNING_SECRET);
    await expect(clickApprove(url, approval)).rejects.toThrow();
    expect(await pendingView(approval.handle, approval.approvalId)).toMatchObject({ approvals: [] });

    const second = await startApp();
    expect((await clickApprove(url, approval)).status).toBe(200);
    await expectApprovedInPlace(approval);
    expect(await second.stop()).toBe(0);
  });

  it('the Temporal server is restarted (same port, persistent database): the workers reconnect and the click completes the approval', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secops-temporal-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const serverArgs = [
      'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(await freePort()),
      '--metrics-port', String(await freePort()), '--db-filename', join(dir, 'temporal.db'), '--log-level', 'error', ...DEV_SERVER_SEARCH_ATTRIBUTE_FLAGS,
    ];
    const startServer = async (): Promise<ManagedProcess> => {
      const server = startProcess('temporal', toolPath('temporal'), serverArgs, { log: () => undefined });
      servers.push(server);
      await waitUntil(`Temporal dev server at ${address}`, async () => {
        const probe = await Connection.connect({ address, connectTimeout: '1 second' });
        await probe.close();
        return true;
      }, 60_000, server.exited);
      return server;
    };

    const server = await startServer();
    const client = new Client({ connection: await Connection.connect({ address }) });
    cleanups.push(() => client.connection.close());
    const taskQueues = uniqueTaskQueues();
    const workers = await startSlackWorkers({ address, api, store: { db: fresh.db, url: fresh.url }, taskQueues });
    cleanups.push(() => workers.stop());
    const config = approvalConfig({ taskQueues, targetId: uniqueTargetId('restart-temporal'), targetPort: await freePort(), policy: POLICY });
    const slack = await startSlackApp({ api, config, client, db: fresh.db });
    cleanups.push(() => slack.stop());
    const approval = await startApprovalRequest(client, api, config, 'slack:UREQUESTER');

    await server.stop();
    await startServer();
    await waitUntil('the restarted server still knows the pending approval', async () => (await pendingView(approval.handle, approval.approvalId)) !== undefined, 60_000);
    expect((await clickApprove(slack.url, approval)).status).toBe(200);
    await expectApprovedInPlace(approval);
  });
});

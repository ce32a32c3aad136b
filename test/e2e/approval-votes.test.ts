import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { waitUntil } from '../../processes/wait-until';
import { APPROVAL_ACTIONS } from '../../render/slack/approval-request';
import { listAuditEvents } from '../../store/audit-events';
import { migrate } from '../../store/migrations';
import { pendingView, startApprovalRequest, type PostedApproval } from '../support/approval-requests';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { manualClock } from '../support/manual-clock';
import { freePort } from '../support/ports';
import { runEntry } from '../support/run-cli';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import { approvalConfig, APPROVALS, BOT_TOKEN, buttonClick, postToSlackApp, startSlackApp, startSlackWorkers, uniqueTargetId, stopSlackTest, type RunningSlackApp, type RunningWorkers } from '../support/slack-app-harness';
import { devServerClient, uniqueTaskQueues } from '../support/workers';
import { testCliUser, testKeyPem, testSigningKey } from '../support/test-ballots';

/**
 * Votes go through one client/ operation whichever front end casts them: a refused CLI vote
 * is audited exactly like a refused Slack click, and an id that is not `<workflow id>#<n>`
 * is refused before any Update is sent (it used to be cut at a `#` that was not there).
 * The CLI runs as a process against the real workers; clicks go signed into the real Bolt app.
 */
describe('votes from the CLI and Slack', () => {
  let api: SlackApiServer;
  let fresh: FreshDatabase;
  let client: Client;
  let workers: RunningWorkers;
  let slack: RunningSlackApp;
  let configPath: string;
  const taskQueues = uniqueTaskQueues();
  const started: WorkflowHandle[] = [];
  const policy = { approvers: { users: ['UAPPROVER'], cliUsers: [testCliUser('bob')] } };

  beforeAll(async () => {
    api = await startSlackApiServer({ botToken: BOT_TOKEN, now: manualClock().now, channels: [APPROVALS] });
    fresh = await freshDatabase();
    await migrate(fresh.db);
    client = await devServerClient();
    workers = await startSlackWorkers({ address: inject('temporalAddress'), api, store: { db: fresh.db, url: fresh.url }, taskQueues });
    slack = await startSlackApp({ api, config: approvalConfig({ taskQueues, targetId: uniqueTargetId('votes'), targetPort: await freePort(), policy }), client, db: fresh.db });
    configPath = join(mkdtempSync(join(tmpdir(), 'secops-votes-')), 'secops.config.yaml');
    writeFileSync(configPath, 'version: 1\n');
  });
  afterAll(() => stopSlackTest({ started, slack, workers, client, fresh, api }));

  async function request(): Promise<PostedApproval> {
    const config = approvalConfig({ taskQueues, targetId: uniqueTargetId('votes'), targetPort: await freePort(), policy });
    const posted = await startApprovalRequest(client, api, config, 'slack:UREQUESTER');
    started.push(posted.handle);
    return posted;
  }

  /** `secops approvals <args>` as `user`, with the store configured so refusals can be audited. */
  const cli = (user: string, args: string[], env: Record<string, string> = {}) =>
    runEntry(['secops', 'approvals', ...args], { SECOPS_USER: user, SECOPS_BALLOT_KEY: testKeyPem(user), SECOPS_CONFIG: configPath, TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: fresh.url, ...env });

  const click = (approval: PostedApproval, user: string, value = approval.approvalId) =>
    postToSlackApp(slack.url, buttonClick({ actionId: APPROVAL_ACTIONS.approve, value, user, triggerId: api.triggerId(), channel: approval.message.channel, messageTs: approval.message.ts }));

  const refusals = async (subject: string) =>
    (await listAuditEvents(fresh.db, { subject })).filter((e) => e.outcome === 'refused').map(({ actor, action, subject, outcome, details }) => ({ actor, action, subject, outcome, details }));

  it('audits a refused CLI vote exactly like a refused Slack click', { timeout: 60_000 }, async () => {
    const approval = await request();
    const before = await pendingView(approval.handle, approval.approvalId);

    expect((await click(approval, 'UOUTSIDER')).status).toBe(200);
    await waitUntil('the Slack refusal is audited', async () => (await refusals(approval.approvalId)).length === 1, 15_000);
    // Mallory signs with a key of her own, which no policy trusts.
    const stranger = await cli('mallory', ['approve', approval.approvalId]);
    const unknownKey = `ballot signed by an unknown key ${testSigningKey('mallory').keyId}`;
    expect(stranger).toMatchObject({ code: 1, stderr: `error: refused: ${unknownKey}\n` });
    // Bob's name with Mallory's key: the claim is not the identity.
    const impostor = await cli('bob', ['approve', approval.approvalId], { SECOPS_BALLOT_KEY: testKeyPem('mallory') });
    expect(impostor).toMatchObject({ code: 1, stderr: `error: refused: ${unknownKey}\n` });
    // No key at all: nothing can be signed, and the refusal is audited all the same.
    const keyless = await cli('bob', ['approve', approval.approvalId], { SECOPS_BALLOT_KEY: undefined as unknown as string, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'secops-nokey-')) });
    const noKey = 'this front end has no ballot-signing key (SECOPS_BALLOT_KEY_FILE or SECOPS_BALLOT_KEY; `secops keys init` creates one)';
    expect(keyless).toMatchObject({ code: 1, stderr: `error: refused: ${noKey}\n` });
    const noReason = await cli('bob', ['reject', approval.approvalId]);
    expect(noReason).toMatchObject({ code: 1, stderr: 'error: refused: a rejection needs a reason\n' });

    const subject = approval.approvalId;
    expect(await refusals(subject)).toEqual([
      { actor: 'slack:UOUTSIDER', action: 'approval.approve', subject, outcome: 'refused', details: { reason: 'slack:UOUTSIDER is not an approver for this request', via: 'slack' } },
      { actor: 'cli:mallory', action: 'approval.approve', subject, outcome: 'refused', details: { reason: unknownKey, via: 'cli' } },
      { actor: 'cli:bob', action: 'approval.approve', subject, outcome: 'refused', details: { reason: unknownKey, via: 'cli' } },
      { actor: 'cli:bob', action: 'approval.approve', subject, outcome: 'refused', details: { reason: noKey, via: 'cli' } },
      { actor: 'cli:bob', action: 'approval.reject', subject, outcome: 'refused', details: { reason: 'a rejection needs a reason', via: 'cli' } },
    ]);
    expect(await pendingView(approval.handle, approval.approvalId)).toEqual(before);
  });

  it('refuses an approval id without #<n> in the CLI (exit 2, before connecting) and in Slack, and votes on nothing', { timeout: 60_000 }, async () => {
    const approval = await request();
    const before = await pendingView(approval.handle, approval.approvalId);
    // The run's own id: cut at a missing `#`, it named another run (its id less one character).
    const bare = approval.handle.workflowId;

    for (const vote of ['approve', 'reject'] as const) {
      // Nothing listens on this port: an exit 2 with the reason shows the id was refused before any connection.
      const result = await cli('bob', [vote, bare, '--reason', 'freeze'], { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toBe(`error: secops approvals ${vote} is invalid:\n  - <approval>: "${bare}" is not an approval id (<workflow id>#<n>@<run id>, as \`secops approvals list\` shows it)\n`);
    }

    const ephemeralBefore = api.callsTo('chat.postEphemeral').length;
    expect((await click(approval, 'UAPPROVER', bare)).status).toBe(200);
    const explanation = () => api.callsTo('chat.postEphemeral').slice(ephemeralBefore).find((c) => c.args.user === 'UAPPROVER');
    await waitUntil('the explanation', async () => explanation() !== undefined, 15_000);
    expect(explanation()!.args.text).toBe(`:no_entry: Your approval was not counted: "${bare}" is not an approval id (&lt;workflow id&gt;#&lt;n&gt;@&lt;run id&gt;, as \`secops approvals list\` shows it)`);

    expect(await pendingView(approval.handle, approval.approvalId)).toEqual(before);
    // Not a vote on any approval: nothing is audited, under either id.
    expect(await refusals(approval.approvalId)).toEqual([]);
    expect(await refusals(bare)).toEqual([]);
  });
});

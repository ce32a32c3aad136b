import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { freePort } from '../support/ports';
import { scanFailureMessage } from '../../client/failure-message';
import type { Config } from '../../domain/config';
import { dastScanInput } from '../../domain/dast';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import type { TaskQueueNames } from '../../domain/task-queues';
import { APPROVAL_ACTIONS } from '../../render/slack/approval-request';
import { MODAL_CALLBACKS } from '../../render/slack/triage-modals';
import { listAuditEvents } from '../../store/audit-events';
import { migrate } from '../../store/migrations';
import { buttonsOf, pendingView } from '../support/approval-requests';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { manualClock } from '../support/manual-clock';
import { startSlackApiServer, TRIGGER_LIFETIME_MS, type RecordedCall, type SlackApiServer } from '../support/slack-api-server';
import {
  approvalConfig, APPROVALS, APPROVALS_CHANNEL, BOT_TOKEN, buttonClick, postToSlackApp, startSlackApp, startSlackWorkers, uniqueTargetId,
  type RunningSlackApp, type RunningWorkers,
} from '../support/slack-app-harness';
import { devServerClient, uniqueTaskQueues } from '../support/workers';
import { dastScan } from '../../workflows/dast-scan';

/**
 * What the product does when Slack says no: the fake Slack answers not_in_channel,
 * channel_not_found, HTTP 429 and expired_trigger_id where Slack would, and the real
 * workers and the real Bolt app must neither lose an approval unseen nor leave a person
 * clicking into silence.
 */
describe('Slack app: when the Slack API refuses', () => {
  const clock = manualClock();
  let api: SlackApiServer;
  let fresh: FreshDatabase;
  let client: Client;
  /** Workers whose approvals channel is #approvals, where the bot is. */
  let joined: RunningWorkers;
  /** Workers whose approvals channel is #security, a public channel nobody invited the bot to. */
  let outside: RunningWorkers;
  let slack: RunningSlackApp;
  let targetPort: number;
  const joinedQueues = uniqueTaskQueues();
  const outsideQueues = uniqueTaskQueues();
  const started: WorkflowHandle[] = [];

  beforeAll(async () => {
    api = await startSlackApiServer({ botToken: BOT_TOKEN, now: clock.now, channels: [APPROVALS, { id: 'C0SECURITY', name: 'security', member: false }] });
    fresh = await freshDatabase();
    await migrate(fresh.db);
    client = await devServerClient();
    targetPort = await freePort();
    const store = { db: fresh.db, url: fresh.url };
    joined = await startSlackWorkers({ address: inject('temporalAddress'), api, store, taskQueues: joinedQueues });
    outside = await startSlackWorkers({ address: inject('temporalAddress'), api, store, taskQueues: outsideQueues, slackChannel: '#security' });
    slack = await startSlackApp({ api, config: config(joinedQueues), client, db: fresh.db });
  });
  afterAll(async () => {
    for (const handle of started) await handle.terminate('test over').catch(() => undefined);
    await slack?.stop();
    await joined?.stop();
    await outside?.stop();
    await client?.connection.close();
    await fresh?.drop();
    await api?.close();
  });

  function config(taskQueues: TaskQueueNames, policy: Record<string, unknown> = { approvers: { users: ['UAPPROVER1'] } }): Config {
    return approvalConfig({ taskQueues, targetId: uniqueTargetId('refusals'), targetPort, policy });
  }

  /** The production dastScan of an active profile: it stops at its approval gate. */
  async function startScan(scanConfig: Config): Promise<{ handle: WorkflowHandle; approvalId: string }> {
    const target = scanConfig.targets[0]!;
    const handle = await client.workflow.start(dastScan, {
      taskQueue: scanConfig.taskQueues.control,
      workflowId: `dast:${target.id}:test-${randomBytes(4).toString('hex')}`,
      args: [dastScanInput(scanConfig, target, 'slack:UREQUESTER')],
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.target, value: target.id }],
    });
    started.push(handle);
    return { handle, approvalId: `${handle.workflowId}#1@${handle.firstExecutionRunId}` };
  }

  const postsOf = (approvalId: string) => api.callsTo('chat.postMessage').filter((call) => buttonsOf(call.args.blocks)[APPROVAL_ACTIONS.approve] === approvalId);
  const failureOf = (handle: WorkflowHandle) => handle.result().then(() => 'completed', (error: unknown) => (error instanceof WorkflowFailedError ? scanFailureMessage(error) : String(error)));

  it('fails the run at once, saying what to fix, when the bot is not in the approvals channel', async () => {
    const { handle, approvalId } = await startScan(config(outsideQueues));
    const failure = await failureOf(handle);
    expect(failure).toContain('not_in_channel');
    expect(failure).toContain('#security');
    expect(failure).toMatch(/invite the app/);
    // Refused for good: one attempt, no retries hammering Slack, and no approval left waiting where nobody sees it.
    expect(postsOf(approvalId).map((call) => call.response.error)).toEqual(['not_in_channel']);
    expect((await handle.describe()).status.name).toBe('FAILED');
    expect((await listAuditEvents(fresh.db, { subject: approvalId })).map((e) => e.action)).not.toContain('approval.requested');
  });

  it('fails the run when an escalation channel does not exist, after the request itself was posted', async () => {
    const escalating = config(joinedQueues, { approvers: { users: ['UAPPROVER1'] }, timeout: '1s', escalation: [{ after: '1h', approvers: { users: ['ULEAD'] }, channel: 'C0GONE' }] });
    const { handle, approvalId } = await startScan(escalating);
    const failure = await failureOf(handle);
    expect(failure).toContain('channel_not_found');
    expect(failure).toContain('C0GONE');
    const posts = postsOf(approvalId);
    expect(posts.map((call) => [call.args.channel, call.response.error ?? 'ok'])).toEqual([[APPROVALS_CHANNEL, 'ok'], ['C0GONE', 'channel_not_found']]);
  });

  it('retries a rate-limited approval request after Retry-After, and the one message that lands works', async () => {
    api.rateLimit('chat.postMessage', 1, 1);
    const { handle, approvalId } = await startScan(config(joinedQueues));
    const landed = await api.waitForCall('chat.postMessage', (call) => call.response.ok === true && buttonsOf(call.args.blocks)[APPROVAL_ACTIONS.approve] === approvalId, 30_000);
    expect(postsOf(approvalId).map((call) => [call.status, call.response.error ?? 'ok'])).toEqual([[429, 'ratelimited'], [200, 'ok']]);
    expect(landed.problems).toEqual([]);
    expect(await pendingView(handle, approvalId)).toMatchObject({ approvalId, approvals: [] });

    const click = buttonClick({ actionId: APPROVAL_ACTIONS.approve, value: approvalId, user: 'UAPPROVER1', triggerId: api.triggerId(), channel: String(landed.response.channel), messageTs: String(landed.response.ts) });
    expect((await postToSlackApp(slack.url, click)).status).toBe(200);
    const update = await api.waitForCall('chat.update', (call) => call.args.ts === landed.response.ts, 30_000);
    expect(update.problems).toEqual([]);
    expect(update.args.text).toMatch(/^Approved/);
  });

  it('tells the person to click again when Reject\'s trigger_id expired before the modal opened, and counts no vote', async () => {
    const { handle, approvalId } = await startScan(config(joinedQueues));
    const request = await api.waitForCall('chat.postMessage', (call) => call.response.ok === true && buttonsOf(call.args.blocks)[APPROVAL_ACTIONS.approve] === approvalId, 30_000);
    const message = { channel: String(request.response.channel), messageTs: String(request.response.ts) };
    const reject = (triggerId: string) => postToSlackApp(slack.url, buttonClick({ actionId: APPROVAL_ACTIONS.reject, value: approvalId, user: 'UAPPROVER1', triggerId, ...message }));

    const stale = api.triggerId();
    clock.advance(TRIGGER_LIFETIME_MS + 1);
    expect((await reject(stale)).status).toBe(200);
    const refused = await api.waitForCall('views.open', (call) => call.args.trigger_id === stale, 10_000);
    expect(refused.response.error).toBe('expired_trigger_id');
    const told: RecordedCall = await api.waitForCall('chat.postEphemeral', (call) => call.args.user === 'UAPPROVER1' && call.args.channel === message.channel, 10_000);
    expect(told.problems).toEqual([]);
    expect(told.args.text).toMatch(/click Reject again/i);
    expect(await pendingView(handle, approvalId)).toMatchObject({ approvalId, approvals: [] });
    expect(api.callsTo('chat.update').filter((call) => call.args.ts === message.messageTs)).toEqual([]);

    const renewed = api.triggerId();
    expect((await reject(renewed)).status).toBe(200);
    const opened = await api.waitForCall('views.open', (call) => call.args.trigger_id === renewed, 10_000);
    expect(opened.problems).toEqual([]);
    expect(opened.args.view).toMatchObject({ callback_id: MODAL_CALLBACKS.rejectReason, private_metadata: approvalId });
  });
});

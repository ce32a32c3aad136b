import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { freePort } from '../support/ports';
import { waitUntil } from '../../processes/wait-until';
import type { Config } from '../../domain/config';
import { APPROVAL_ACTIONS } from '../../render/slack/approval-request';
import { migrate } from '../../store/migrations';
import { pendingView, startApprovalRequest, type PostedApproval } from '../support/approval-requests';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { manualClock } from '../support/manual-clock';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import { approvalConfig, APPROVALS, BOT_TOKEN, buttonClick, postToSlackApp, startSlackApp, startSlackWorkers, uniqueTargetId, stopSlackTest, type RunningSlackApp, type RunningWorkers } from '../support/slack-app-harness';
import { devServerClient, uniqueTaskQueues } from '../support/workers';

/** activities/slack/slack-groups.ts keeps a group's members this long. */
const CACHE_MS = 60_000;
const GROUP = 'SSECOPSLEADS';

/**
 * README: approvers may be "Slack user groups resolved through `usergroups.users.list` and
 * cached for a minute". Real workers resolve the group for each approval request; the
 * cache's clock is the test's, so the minute passes when the test says, not by waiting.
 */
describe('Slack user groups as approvers: the one-minute cache', () => {
  const clock = manualClock();
  let api: SlackApiServer;
  let fresh: FreshDatabase;
  let client: Client;
  let workers: RunningWorkers;
  let slack: RunningSlackApp;
  let config: Config;
  const started: WorkflowHandle[] = [];

  beforeAll(async () => {
    api = await startSlackApiServer({ botToken: BOT_TOKEN, channels: [APPROVALS], usergroups: { [GROUP]: ['UALICE'] } });
    fresh = await freshDatabase();
    await migrate(fresh.db);
    client = await devServerClient();
    const taskQueues = uniqueTaskQueues();
    workers = await startSlackWorkers({ address: inject('temporalAddress'), api, store: { db: fresh.db, url: fresh.url }, taskQueues, groupsClock: clock.now });
    config = approvalConfig({ taskQueues, targetId: uniqueTargetId('group-cache'), targetPort: await freePort(), policy: { approvers: { groups: [GROUP] } } });
    slack = await startSlackApp({ api, config, client, db: fresh.db });
  });
  afterAll(() => stopSlackTest({ started, slack, workers, client, fresh, api }));

  async function request(): Promise<PostedApproval> {
    const posted = await startApprovalRequest(client, api, config, 'slack:UREQUESTER');
    started.push(posted.handle);
    return posted;
  }

  const lookups = () => api.callsTo('usergroups.users.list').filter((call) => call.args.usergroup === GROUP);
  const allowedOn = async (approval: PostedApproval) => (await pendingView(approval.handle, approval.approvalId))?.allowed;
  const approve = (approval: PostedApproval, user: string) =>
    postToSlackApp(slack.url, buttonClick({ actionId: APPROVAL_ACTIONS.approve, value: approval.approvalId, user, triggerId: api.triggerId(), channel: approval.message.channel, messageTs: approval.message.ts }));

  it('asks Slack once, keeps the members for a minute, and sees a membership change once the minute is over', async () => {
    const first = await request();
    expect(lookups()).toHaveLength(1);
    expect(await allowedOn(first)).toEqual(['slack:UALICE']);

    // Alice leaves the group, Bob joins; within the minute the workers still go by what Slack said before.
    api.setUsergroupMembers(GROUP, ['UBOB']);
    clock.advance(CACHE_MS - 1);
    const cached = await request();
    expect(lookups()).toHaveLength(1);
    expect(await allowedOn(cached)).toEqual(['slack:UALICE']);
    expect((await approve(cached, 'UBOB')).status).toBe(200);
    const refused = await api.waitForCall('chat.postEphemeral', (call) => call.args.user === 'UBOB', 15_000);
    expect(refused.args.text).toContain('slack:UBOB is not an approver');

    clock.advance(1);
    const renewed = await request();
    expect(lookups()).toHaveLength(2);
    expect(await allowedOn(renewed)).toEqual(['slack:UBOB']);
    expect((await approve(renewed, 'UBOB')).status).toBe(200);
    await waitUntil('Bob\'s approval decides the request', async () => (await pendingView(renewed.handle, renewed.approvalId)) === undefined, 15_000);
    const update = await api.waitForCall('chat.update', (call) => call.args.ts === renewed.message.ts, 15_000);
    expect(update.args.text).toMatch(/^Approved/);
  });
});

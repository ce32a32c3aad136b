import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { pendingApprovals } from '../../client/pending-approvals';
import { freePort } from '../support/ports';
import { waitUntil } from '../../processes/wait-until';
import { scanFailureMessage } from '../../client/failure-message';
import { listAuditEvents } from '../../store/audit-events';
import { migrate } from '../../store/migrations';
import { APPROVAL_ACTIONS } from '../../render/slack/approval-request';
import { MODAL_CALLBACKS, MODAL_INPUTS } from '../../render/slack/triage-modals';
import { buttonsOf, pendingView, startApprovalRequest, type PostedApproval } from '../support/approval-requests';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { manualClock } from '../support/manual-clock';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import { appHomeOpened, approvalConfig, APPROVALS, BOT_TOKEN, buttonClick, postToSlackApp, slashCommand, startSlackApp, startSlackWorkers, uniqueTargetId,
  viewSubmission, stopSlackTest, type RunningSlackApp, type RunningWorkers } from '../support/slack-app-harness';
import { devServerClient, uniqueTaskQueues } from '../support/workers';

/**
 * Approvals from Slack end to end: the production dastScan (an active `full` profile, so it
 * stops at its approval gate) on real workers, its request posted through the validating
 * Slack API server, and clicks signed as Slack signs them into the real Bolt app. The
 * scanner image is absent on purpose: once approved, the scan fails fast at the image check.
 */
describe('Slack app: approvals', () => {
  let api: SlackApiServer;
  let fresh: FreshDatabase;
  let client: Client;
  let workers: RunningWorkers;
  let slack: RunningSlackApp;
  let targetPort: number;
  const taskQueues = uniqueTaskQueues();
  const started: WorkflowHandle[] = [];

  beforeAll(async () => {
    api = await startSlackApiServer({
      botToken: BOT_TOKEN,
      // Frozen unless advanced: a loaded machine cannot expire a trigger_id between click and modal.
      now: manualClock().now,
      channels: [APPROVALS, { id: 'C0LEADS', name: 'leads', member: true }],
      usergroups: { SAPPROVERS: ['UAPPROVER1', 'UAPPROVER2', 'UREQUESTER'], SLEADS: ['ULEAD'] },
    });
    fresh = await freshDatabase();
    await migrate(fresh.db);
    client = await devServerClient();
    targetPort = await freePort();
    workers = await startSlackWorkers({ address: inject('temporalAddress'), api, store: { db: fresh.db, url: fresh.url }, taskQueues });
    slack = await startSlackApp({ api, config: config({ approvers: { groups: ['SAPPROVERS'] } }), client, db: fresh.db });
  });
  afterAll(() => stopSlackTest({ started, slack, workers, client, fresh, api }));

  function config(policy: Record<string, unknown>) {
    return approvalConfig({ taskQueues, targetId: uniqueTargetId('approvals'), targetPort, policy });
  }

  async function request(policy: Record<string, unknown> = { approvers: { groups: ['SAPPROVERS'] } }): Promise<PostedApproval> {
    const posted = await startApprovalRequest(client, api, config(policy), 'slack:UREQUESTER');
    started.push(posted.handle);
    return posted;
  }

  const click = (approval: PostedApproval, user: string, actionId: string = APPROVAL_ACTIONS.approve) =>
    postToSlackApp(slack.url, buttonClick({ actionId, value: approval.approvalId, user, triggerId: api.triggerId(), channel: approval.message.channel, messageTs: approval.message.ts }));

  const updatesOf = (approval: PostedApproval) => api.callsTo('chat.update').filter((c) => c.args.channel === approval.message.channel && c.args.ts === approval.message.ts);

  /** A refused click: 200 to Slack, an ephemeral explanation to the clicker only, an audit row, and the approval as it was. */
  async function expectRefused(approval: PostedApproval, user: string, because: string): Promise<void> {
    const before = await pendingView(approval.handle, approval.approvalId);
    const ephemeralBefore = api.callsTo('chat.postEphemeral').length;
    const response = await click(approval, user);
    expect(response.status).toBe(200);
    const explanation = () => api.callsTo('chat.postEphemeral').slice(ephemeralBefore).find((c) => c.args.user === user);
    await waitUntil('the explanation', async () => explanation() !== undefined, 15_000);
    const explained = explanation()!;
    expect(explained.problems).toEqual([]);
    expect(explained.args).toMatchObject({ channel: approval.message.channel, user, text: expect.stringContaining(because) });
    await waitUntil('the refusal is audited', async () => (await refusedBy(approval, user)).length > 0, 5_000);
    expect(await pendingView(approval.handle, approval.approvalId)).toEqual(before);
    expect(updatesOf(approval)).toEqual([]);
  }

  async function refusedBy(approval: PostedApproval, user: string) {
    return (await listAuditEvents(fresh.db, { subject: approval.approvalId })).filter((e) => e.outcome === 'refused' && e.actor === `slack:${user}`);
  }

  async function decided(approval: PostedApproval) {
    await waitUntil('the query shows the decision', async () => (await pendingView(approval.handle, approval.approvalId)) === undefined, 15_000);
    await waitUntil('the request message is updated', async () => updatesOf(approval).length > 0, 15_000);
    const [update, ...more] = updatesOf(approval);
    expect(more).toEqual([]);
    expect(update!.problems).toEqual([]);
    expect(buttonsOf(update!.args.blocks)).toEqual({});
    return update!;
  }

  /** How the run ended: an approved scan fails at the (absent) scanner image, a rejected one is NotApproved. */
  async function outcome(handle: WorkflowHandle): Promise<string> {
    return handle.result().then(() => 'completed', (error: unknown) => (error instanceof WorkflowFailedError ? scanFailureMessage(error) : String(error)));
  }

  it('posts the request with buttons; an approver\'s click decides it and the workflow updates the message in place', async () => {
    const approval = await request();
    expect(approval.posted.problems).toEqual([]);
    expect(buttonsOf(approval.posted.args.blocks)).toEqual({ [APPROVAL_ACTIONS.approve]: approval.approvalId, [APPROVAL_ACTIONS.reject]: approval.approvalId });
    expect((await pendingView(approval.handle, approval.approvalId))?.allowed).toEqual(expect.arrayContaining(['slack:UAPPROVER1', 'slack:UAPPROVER2']));

    const response = await click(approval, 'UAPPROVER1');
    expect(response.status).toBe(200);
    const update = await decided(approval);
    expect(update.args.text).toMatch(/^Approved/);
    expect(JSON.stringify(update.args.blocks)).toContain('<@UAPPROVER1>');
    expect(await outcome(approval.handle)).toContain('scanner image');
    const audit = await listAuditEvents(fresh.db, { subject: approval.approvalId });
    expect(audit.map((e) => [e.actor, e.action, e.outcome])).toEqual([
      ['system', 'approval.requested', 'succeeded'], ['slack:UAPPROVER1', 'approval.approve', 'allowed'], ['system', 'approval.decided', 'succeeded'],
    ]);
  });

  it('refuses a click by someone outside the approver group: ephemeral explanation, audit record, no change', async () => {
    const approval = await request();
    await expectRefused(approval, 'UOUTSIDER', 'slack:UOUTSIDER is not an approver');
    expect((await refusedBy(approval, 'UOUTSIDER'))[0]).toMatchObject({ action: 'approval.approve', details: { reason: 'slack:UOUTSIDER is not an approver for this request' } });
  });

  it('refuses the requester\'s own approval under four-eyes, though they are in the group', async () => {
    const approval = await request();
    expect((await pendingView(approval.handle, approval.approvalId))?.allowed).toContain('slack:UREQUESTER');
    await expectRefused(approval, 'UREQUESTER', 'four-eyes');
  });

  it('needs two distinct approvers for a quorum of 2; a double click counts once', async () => {
    const approval = await request({ approvers: { groups: ['SAPPROVERS'] }, quorum: 2 });
    expect((await click(approval, 'UAPPROVER1')).status).toBe(200);
    await waitUntil('the first vote counts', async () => (await pendingView(approval.handle, approval.approvalId))?.approvals.length === 1, 15_000);
    expect(await pendingView(approval.handle, approval.approvalId)).toMatchObject({ approvals: ['slack:UAPPROVER1'], quorum: 2 });

    await expectRefused(approval, 'UAPPROVER1', 'has already voted');
    expect((await pendingView(approval.handle, approval.approvalId))?.approvals).toEqual(['slack:UAPPROVER1']);

    expect((await click(approval, 'UAPPROVER2')).status).toBe(200);
    const update = await decided(approval);
    expect(update.args.text).toMatch(/^Approved/);
    expect(JSON.stringify(update.args.blocks)).toContain('<@UAPPROVER1>, <@UAPPROVER2>');
    const votes = (await listAuditEvents(fresh.db, { subject: approval.approvalId })).filter((e) => e.action === 'approval.approve' && e.outcome === 'allowed');
    expect(votes.map((e) => e.actor)).toEqual(['slack:UAPPROVER1', 'slack:UAPPROVER2']);
  });

  it('rejects through the modal: Reject opens it, a reason is required, the submission rejects with that reason', async () => {
    const approval = await request();
    expect((await click(approval, 'UAPPROVER2', APPROVAL_ACTIONS.reject)).status).toBe(200);
    const opened = await api.waitForCall('views.open', (c) => (c.args.view as { private_metadata?: string }).private_metadata === approval.approvalId, 10_000);
    expect(opened.problems).toEqual([]);
    expect(opened.args.view).toMatchObject({ type: 'modal', callback_id: MODAL_CALLBACKS.rejectReason });
    // Opening the modal is not a vote: the request still waits, with no vote counted.
    expect(await pendingView(approval.handle, approval.approvalId)).toMatchObject({ approvalId: approval.approvalId, approvals: [], quorum: 1, allowed: expect.arrayContaining(['slack:UAPPROVER2']) });
    expect(updatesOf(approval)).toEqual([]);

    const submit = (reason: string, user = 'UAPPROVER2') =>
      postToSlackApp(slack.url, viewSubmission({ callbackId: MODAL_CALLBACKS.rejectReason, metadata: approval.approvalId, user, triggerId: api.triggerId(), values: { [MODAL_INPUTS.reason]: reason } }));
    const empty = await submit('   ');
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ response_action: 'errors', errors: { [MODAL_INPUTS.reason]: 'not counted: a rejection needs a reason' } });
    const outsider = await submit('no', 'UOUTSIDER');
    expect(await outsider.json()).toMatchObject({ response_action: 'errors', errors: { [MODAL_INPUTS.reason]: expect.stringContaining('is not an approver') } });
    expect(await refusedBy(approval, 'UOUTSIDER')).toHaveLength(1);
    expect(await pendingView(approval.handle, approval.approvalId)).toMatchObject({ approvals: [] });

    const accepted = await submit('the target is in a change freeze until Monday');
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toBe('');
    const update = await decided(approval);
    expect(update.args.text).toMatch(/^Rejected/);
    expect(JSON.stringify(update.args.blocks)).toContain('the target is in a change freeze until Monday');
    expect(await outcome(approval.handle)).toBe('active scan of ' + approval.approvalId.split(':')[1] + ' not approved: the target is in a change freeze until Monday');
  });

  it('escalates after the timeout: the next group is told in its channel and may then vote', async () => {
    const approval = await request({ approvers: { users: ['UAPPROVER1'] }, timeout: '5s', escalation: [{ after: '1h', approvers: { groups: ['SLEADS'] }, channel: 'C0LEADS' }] });
    // Before the escalation the lead may not vote.
    await expectRefused(approval, 'ULEAD', 'is not an approver');
    const escalated = await api.waitForCall('chat.postMessage', (call) => call.args.channel === 'C0LEADS', 30_000);
    expect(escalated.problems).toEqual([]);
    expect(buttonsOf(escalated.args.blocks)[APPROVAL_ACTIONS.approve]).toBe(approval.approvalId);
    expect((await pendingView(approval.handle, approval.approvalId))?.allowed).toEqual(expect.arrayContaining(['slack:UAPPROVER1', 'slack:ULEAD']));
    expect((await click(approval, 'ULEAD')).status).toBe(200);
    const update = await decided(approval);
    expect(JSON.stringify(update.args.blocks)).toContain('ULEAD');
  });

  it('expires after the last step with the policy default, and says so in the message', async () => {
    const approval = await request({ approvers: { users: ['UAPPROVER1'] }, timeout: '1s', escalation: [{ after: '1s', approvers: { groups: ['SLEADS'] } }] });
    const update = await decided(approval);
    expect(JSON.stringify(update.args)).toMatch(/expired/i);
    expect(await outcome(approval.handle)).toMatch(/not approved: expired without a decision; policy default: reject$/);
  });

  it('lists my pending approvals with their buttons: /secops approvals and App Home', async () => {
    const approval = await request();
    // Listing goes through the visibility store, which sees a new run's search attributes a moment later.
    await waitUntil('the request is visible', async () => (await pendingApprovals(client)).some((a) => a.approvalId === approval.approvalId), 15_000);
    const trigger = api.triggerId();
    expect((await postToSlackApp(slack.url, slashCommand({ text: 'approvals', user: 'UAPPROVER1', triggerId: trigger, responseUrl: api.responseUrl(trigger) }))).status).toBe(200);
    const listed = await api.waitForCall('response_url', (c) => c.responseId === trigger, 15_000);
    expect(listed.problems).toEqual([]);
    expect(listed.args.response_type).toBe('ephemeral');
    expect(JSON.stringify(listed.args.blocks)).toContain(JSON.stringify(approval.approvalId));

    const outsiderTrigger = api.triggerId();
    await postToSlackApp(slack.url, slashCommand({ text: 'approvals', user: 'UOUTSIDER', triggerId: outsiderTrigger, responseUrl: api.responseUrl(outsiderTrigger) }));
    const none = await api.waitForCall('response_url', (c) => c.responseId === outsiderTrigger, 15_000);
    expect(none.args.text).toBe('No approvals are waiting for you.');

    expect((await postToSlackApp(slack.url, appHomeOpened('UAPPROVER1'))).status).toBe(200);
    const home = await api.waitForCall('views.publish', (c) => c.args.user_id === 'UAPPROVER1', 15_000);
    expect(home.problems).toEqual([]);
    expect(JSON.stringify(home.args.view)).toContain(JSON.stringify(approval.approvalId));
    expect(JSON.stringify(home.args.view)).toContain('Recent scans');

    // Approving from App Home: no channel there, so the tab is redrawn without the request.
    const publishes = api.callsTo('views.publish').length;
    expect((await postToSlackApp(slack.url, buttonClick({ actionId: APPROVAL_ACTIONS.approve, value: approval.approvalId, user: 'UAPPROVER1', triggerId: api.triggerId(), home: true }))).status).toBe(200);
    await decided(approval);
    const redraw = () => api.callsTo('views.publish').slice(publishes).find((c) => c.args.user_id === 'UAPPROVER1');
    await waitUntil('App Home is redrawn', async () => redraw() !== undefined, 15_000);
    expect(JSON.stringify(redraw()!.args.view)).not.toContain(JSON.stringify(approval.approvalId));
  });

  it('reports a run\'s status with /secops status', async () => {
    const approval = await request();
    const trigger = api.triggerId();
    await postToSlackApp(slack.url, slashCommand({ text: `status ${approval.handle.workflowId}`, user: 'UAPPROVER1', triggerId: trigger, responseUrl: api.responseUrl(trigger) }));
    const reply = await api.waitForCall('response_url', (c) => c.responseId === trigger, 15_000);
    expect(reply.problems).toEqual([]);
    expect(reply.args.text).toBe(`${approval.handle.workflowId}: running`);
  });
});

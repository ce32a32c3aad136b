import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { createIncidentSlackActivities } from '../../activities/slack/incident-channel';
import { actOnIncident } from '../../client/incident-act';
import { incidentInput, startIncident } from '../../client/start-incident';
import { parseConfig, type Config } from '../../domain/config';
import type { TimelineEvent } from '../../domain/incident';
import { waitUntil } from '../../processes/wait-until';
import { INCIDENT_ACTIONS } from '../../render/slack/incident-actions';
import { INCIDENT_STATUS_BLOCK } from '../../render/slack/incident-status';
import { listAuditEvents } from '../../store/audit-events';
import { migrate } from '../../store/migrations';
import { incidentQuery, timelineQuery } from '../../workflows/incident-definitions';
import { buttonsOf } from '../support/approval-requests';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { BOT_USER_ID, startSlackApiServer, type RecordedCall, type SlackApiServer } from '../support/slack-api-server';
import {
  APPROVALS, APPROVALS_CHANNEL, BOT_TOKEN, buttonClick, postToSlackApp, reactionAdded, startSlackApp, startSlackWorkers, stopSlackTest, type RunningSlackApp, type RunningWorkers,
} from '../support/slack-app-harness';
import { SLACK_APP_KEY, testSigningKey, testSlackApp } from '../support/test-ballots';
import { devServerClient, uniqueTaskQueues } from '../support/workers';

interface OpenIncident {
  handle: WorkflowHandle;
  incidentId: string;
  /** The incident channel's id, as conversations.create answered it. */
  channel: string;
  /** The status message's ts. */
  ts: string;
  posted: RecordedCall;
}

/**
 * Incidents in Slack end to end: the production incidentResponse (the drill playbook, which
 * waits at its approval, so the incident stays open) on real workers and PostgreSQL, its
 * channel and status message made through the validating Slack API server, and clicks and
 * reactions signed as Slack signs them into the real Bolt app.
 */
describe('Slack app: incidents', () => {
  let api: SlackApiServer;
  let fresh: FreshDatabase;
  let client: Client;
  let workers: RunningWorkers;
  let slack: RunningSlackApp;
  let config: Config;
  let drill: OpenIncident;
  const taskQueues = uniqueTaskQueues();
  const started: WorkflowHandle[] = [];

  beforeAll(async () => {
    api = await startSlackApiServer({
      botToken: BOT_TOKEN,
      channels: [APPROVALS],
      users: Object.fromEntries(['UCOMMANDER', 'URESPONDER', 'UAPPROVER', 'UOUTSIDER'].map((id) => [id, { name: id.toLowerCase() }])),
    });
    fresh = await freshDatabase();
    await migrate(fresh.db);
    client = await devServerClient();
    config = parseConfig(JSON.stringify({
      version: 1, taskQueues, artifactsDir: '/tmp/secops-slack-tests',
      approvals: { 'incident.drill': { approvers: { users: ['UAPPROVER'] } } },
      slackApp: testSlackApp(),
    }));
    workers = await startSlackWorkers({ address: inject('temporalAddress'), api, store: { db: fresh.db, url: fresh.url }, taskQueues });
    slack = await startSlackApp({ api, config, client, db: fresh.db });
    drill = await open();
  });
  afterAll(() => stopSlackTest({ started, slack, workers, client, fresh, api }));

  /** A drill commanded by UCOMMANDER with URESPONDER (and a CLI user) on it, once its status message is posted and kept in the view. */
  async function open(): Promise<OpenIncident> {
    const input = incidentInput(config, {
      playbook: 'drill', input: { steps: 1 }, trigger: { kind: 'slack', by: 'slack:UCOMMANDER', at: new Date().toISOString() },
      commander: 'slack:UCOMMANDER', participants: ['slack:URESPONDER', 'cli:carol'],
    }, 'test');
    const { incidentId, workflowId } = await startIncident(client, config, input);
    const handle = client.workflow.getHandle(workflowId);
    started.push(handle);
    const created = await api.waitForCall('conversations.create', (c) => c.args.name === incidentId && c.response.ok === true, 30_000);
    const channel = String((created.response.channel as { id: string }).id);
    const posted = await api.waitForCall('chat.postMessage', (c) => c.args.channel === channel && c.response.ok === true, 30_000);
    const ts = String(posted.response.ts);
    await waitUntil('the view keeps the status message', async () => (await handle.query(incidentQuery)).statusMessage?.ts === ts, 15_000);
    return { handle, incidentId, channel, ts, posted };
  }

  const click = (incident: OpenIncident, user: string, actionId: string) =>
    postToSlackApp(slack.url, buttonClick({ actionId, value: incident.incidentId, user, triggerId: api.triggerId(), channel: incident.channel, messageTs: incident.ts }));
  const react = (incident: OpenIncident, user: string, ts: string, reaction = 'pushpin') =>
    postToSlackApp(slack.url, reactionAdded({ user, reaction, channel: incident.channel, ts }));
  const updatesOf = (incident: OpenIncident) => api.callsTo('chat.update').filter((c) => c.args.channel === incident.channel && c.args.ts === incident.ts);
  const timeline = (incident: OpenIncident): Promise<TimelineEvent[]> => incident.handle.query(timelineQuery);

  /** The next ephemeral message to `user` after `since` calls, once it arrives. */
  async function toldTo(user: string, since: number): Promise<RecordedCall> {
    const told = () => api.callsTo('chat.postEphemeral').slice(since).find((c) => c.args.user === user);
    await waitUntil(`an ephemeral message to ${user}`, async () => told() !== undefined, 15_000);
    expect(told()!.problems).toEqual([]);
    return told()!;
  }

  it('opens a channel named by the incident id, invites its Slack people, posts and pins the status message', async () => {
    const { incidentId, channel, ts, posted } = drill;
    expect(api.callsTo('conversations.create').filter((c) => c.args.name === incidentId).map((c) => c.problems)).toEqual([[]]);
    const workspace = api.conversation(incidentId)!;
    expect(workspace).toMatchObject({ id: channel, name: incidentId, member: true });
    // CLI users have no Slack account: only the Slack people are invited.
    expect([...workspace.members].sort()).toEqual([BOT_USER_ID, 'UCOMMANDER', 'URESPONDER'].sort());
    expect(api.callsTo('conversations.invite').filter((c) => c.args.channel === channel).every((c) => c.problems.length === 0)).toBe(true);

    expect(posted.problems).toEqual([]);
    expect((posted.args.blocks as { block_id?: string }[])[0]?.block_id).toBe(INCIDENT_STATUS_BLOCK);
    expect(buttonsOf(posted.args.blocks)).toEqual({
      [INCIDENT_ACTIONS.acknowledge]: incidentId, [INCIDENT_ACTIONS.snooze['30m']]: incidentId, [INCIDENT_ACTIONS.snooze['1h']]: incidentId, [INCIDENT_ACTIONS.snooze['2h']]: incidentId,
    });
    expect(JSON.stringify(posted.args.blocks)).toContain('*Commander*\\n<@UCOMMANDER>');
    expect(workspace.pins).toEqual([ts]);
    expect(await drill.handle.query(incidentQuery)).toMatchObject({ channel, statusMessage: { channel, ts } });

    const notice = await api.waitForCall('chat.postMessage', (c) => c.args.channel === APPROVALS_CHANNEL && String(c.args.text).includes(`<#${channel}>`), 15_000);
    expect(notice.problems).toEqual([]);
  });

  it('Acknowledge sets the acknowledged milestone as the person who clicked, and the workflow updates the message in place', async () => {
    expect((await click(drill, 'URESPONDER', INCIDENT_ACTIONS.acknowledge)).status).toBe(200);
    await waitUntil('acknowledged', async () => (await drill.handle.query(incidentQuery)).milestones.acknowledged !== undefined, 15_000);
    expect((await drill.handle.query(incidentQuery)).milestones.acknowledged).toMatchObject({ source: 'slack:URESPONDER' });

    const acknowledged = () => updatesOf(drill).find((c) => !(INCIDENT_ACTIONS.acknowledge in buttonsOf(c.args.blocks)));
    await waitUntil('the status message is updated', async () => acknowledged() !== undefined, 15_000);
    expect(acknowledged()!.problems).toEqual([]);
    expect(JSON.stringify(acknowledged()!.args.blocks)).toMatch(/acknowledged: .*<@URESPONDER>/);
    // One status message, updated in place: never a second one posted.
    const statusPosts = api.callsTo('chat.postMessage').filter((c) => c.args.channel === drill.channel && (c.args.blocks as { block_id?: string }[] | undefined)?.[0]?.block_id === INCIDENT_STATUS_BLOCK);
    expect(statusPosts).toHaveLength(1);
  });

  it('📌 puts a message on the timeline at the time it was written, as the person who reacted; other reactions are ignored', async () => {
    const writtenAt = Math.floor(Date.now() / 1000) - 3600;
    // As Slack stores it: `&`, `<` and `>` as entities.
    const ts = api.postAsUser({ channel: drill.channel, user: 'URESPONDER', text: 'db primary refuses connections since the deploy (p99 &gt; 2s &amp; rising)', ts: `${writtenAt}.250000` });
    const infos = api.callsTo('conversations.info').length;
    const ephemeral = api.callsTo('chat.postEphemeral').length;
    expect((await react(drill, 'UCOMMANDER', ts, 'eyes')).status).toBe(200);
    expect((await react(drill, 'UCOMMANDER', ts)).status).toBe(200);

    const pinned = async () => (await timeline(drill)).filter((e) => e.kind === 'pinned');
    await waitUntil('the message is on the timeline', async () => (await pinned()).length > 0, 15_000);
    expect(await pinned()).toEqual([{ at: new Date(writtenAt * 1000 + 250).toISOString(), kind: 'pinned', actor: 'slack:UCOMMANDER', text: 'db primary refuses connections since the deploy (p99 > 2s & rising)' }]);
    expect((await toldTo('UCOMMANDER', ephemeral)).args.text).toContain(`On the timeline of ${drill.incidentId}`);
    // The 👀 was dropped before asking Slack anything.
    expect(api.callsTo('conversations.info').length - infos).toBe(1);
  });

  it('refuses a non-participant\'s click and 📌, explaining to them alone, and changes nothing', async () => {
    const before = { view: await drill.handle.query(incidentQuery), timeline: await timeline(drill), updates: updatesOf(drill).length };
    const ts = api.postAsUser({ channel: drill.channel, user: 'UOUTSIDER', text: 'I was here' });

    let ephemeral = api.callsTo('chat.postEphemeral').length;
    expect((await click(drill, 'UOUTSIDER', INCIDENT_ACTIONS.acknowledge)).status).toBe(200);
    expect((await toldTo('UOUTSIDER', ephemeral)).args).toMatchObject({ channel: drill.channel, text: expect.stringContaining('slack:UOUTSIDER is not a participant') });
    ephemeral = api.callsTo('chat.postEphemeral').length;
    expect((await react(drill, 'UOUTSIDER', ts)).status).toBe(200);
    expect((await toldTo('UOUTSIDER', ephemeral)).args.text).toContain('is not a participant');

    const refused = async () => (await listAuditEvents(fresh.db, { subject: drill.incidentId, actor: 'slack:UOUTSIDER' })).filter((e) => e.outcome === 'refused');
    await waitUntil('both refusals are audited', async () => (await refused()).length === 2, 10_000);
    expect((await refused()).map((e) => e.action).sort()).toEqual(['incident.acknowledge', 'incident.addTimelineEvent']);
    expect(await timeline(drill)).toEqual(before.timeline);
    expect(await drill.handle.query(incidentQuery)).toEqual(before.view);
    expect(updatesOf(drill)).toHaveLength(before.updates);
  });

  it('reminds the commander in the channel with the snoozes; only the commander\'s snooze counts', async () => {
    const remind = createIncidentSlackActivities(new WebClient(BOT_TOKEN, { slackApiUrl: api.url })).remindCommander;
    expect(await new MockActivityEnvironment(undefined, { logger: Runtime.instance().logger }).run(remind, { view: await drill.handle.query(incidentQuery) })).toEqual({ posted: true });
    const reminder = await api.waitForCall('chat.postMessage', (c) => c.args.channel === drill.channel && String(c.args.text).startsWith('Status update due'), 5_000);
    expect(reminder.problems).toEqual([]);
    expect(JSON.stringify(reminder.args.blocks)).toContain('<@UCOMMANDER>, a status update');
    expect(Object.keys(buttonsOf(reminder.args.blocks))).toEqual(Object.values(INCIDENT_ACTIONS.snooze));

    let ephemeral = api.callsTo('chat.postEphemeral').length;
    await click(drill, 'URESPONDER', INCIDENT_ACTIONS.snooze['1h']);
    expect((await toldTo('URESPONDER', ephemeral)).args.text).toContain('only the commander (slack:UCOMMANDER) may snoozeReminder');
    ephemeral = api.callsTo('chat.postEphemeral').length;
    await click(drill, 'UCOMMANDER', INCIDENT_ACTIONS.snooze['1h']);
    expect((await toldTo('UCOMMANDER', ephemeral)).args.text).toContain('Snoozed: the next status-update reminder comes in 1h');
    const snoozes = (await timeline(drill)).filter((e) => e.kind === 'reminder');
    expect(snoozes).toEqual([expect.objectContaining({ actor: 'slack:UCOMMANDER', text: 'status-update reminder snoozed for 1h', data: { snooze: '1h' } })]);
  });

  it('updates the status message in place once resolved: resolved, no buttons left', async () => {
    await actOnIncident({ client, db: fresh.db, signer: testSigningKey(SLACK_APP_KEY) }, drill.incidentId, 'resolve', { summary: 'drill over' }, 'slack:UCOMMANDER');
    expect(await drill.handle.result()).toMatchObject({ incidentId: drill.incidentId, status: 'closed', resolution: 'drill over' });
    const last = updatesOf(drill).at(-1)!;
    expect(last.problems).toEqual([]);
    expect(String(last.args.text)).toMatch(/^Resolved incident/);
    expect(buttonsOf(last.args.blocks)).toEqual({});
    expect(api.conversation(drill.incidentId)!.pins).toEqual([drill.ts]);
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { parseConfig, type Config } from '../../domain/config';
import { waitUntil } from '../../processes/wait-until';
import { INCIDENT_MODAL_CALLBACK, PLAYBOOK_PICKER_ACTION, PLAYBOOK_PICKER_CALLBACK, incidentModal, playbookPickerModal } from '../../render/slack/incident-modal';
import { findPlaybook, listPlaybooks } from '../../client/playbooks';
import { listIncidents } from '../../store/incidents';
import { migrate } from '../../store/migrations';
import { incidentQuery } from '../../workflows/incident-definitions';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import {
  APPROVALS, BOT_TOKEN, postToSlackApp, slashCommand, startSlackApp, startSlackWorkers, stopSlackTest, viewSelect, viewSubmission, type RunningSlackApp, type RunningWorkers,
} from '../support/slack-app-harness';
import { testSlackApp } from '../support/test-ballots';
import { devServerClient, uniqueTaskQueues } from '../support/workers';

/**
 * `/secops incident <playbook>` end to end: the signed slash command opens the form generated
 * from the playbook's JSON Schema, a bad submission is refused in the form with nothing
 * started, and a good one starts the production incidentResponse with the submitter as commander.
 */
describe('Slack app: /secops incident', () => {
  let api: SlackApiServer;
  let fresh: FreshDatabase;
  let client: Client;
  let workers: RunningWorkers;
  let slack: RunningSlackApp;
  let config: Config;
  const taskQueues = uniqueTaskQueues();
  const started: WorkflowHandle[] = [];

  beforeAll(async () => {
    api = await startSlackApiServer({ botToken: BOT_TOKEN, channels: [APPROVALS], users: { UCOMMANDER: { name: 'ucommander' }, UAPPROVER: { name: 'uapprover' } } });
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
  });
  afterAll(() => stopSlackTest({ started, slack, workers, client, fresh, api }));

  const runsOnQueue = async () => {
    const ids: string[] = [];
    for await (const run of client.workflow.list({ query: `TaskQueue = '${taskQueues.control}'` })) ids.push(run.workflowId);
    return ids;
  };
  const submit = (playbook: string, values: Record<string, string>) =>
    postToSlackApp(slack.url, viewSubmission({ callbackId: INCIDENT_MODAL_CALLBACK, metadata: playbook, user: 'UCOMMANDER', triggerId: api.triggerId(), values }));

  it('/secops incident <playbook> opens the form generated from its schema; without one, lists the playbooks', async () => {
    const trigger = api.triggerId();
    const response = await postToSlackApp(slack.url, slashCommand({ text: 'incident suspicious-container', user: 'UCOMMANDER', triggerId: trigger, responseUrl: api.responseUrl(trigger) }));
    expect(response.status).toBe(200);
    const opened = await api.waitForCall('views.open', (c) => c.args.trigger_id === trigger, 10_000);
    expect(opened.problems).toEqual([]);
    expect(opened.response.ok).toBe(true);
    expect(opened.args.view).toEqual(incidentModal(findPlaybook('suspicious-container')!));

    const listTrigger = api.triggerId();
    await postToSlackApp(slack.url, slashCommand({ text: 'incident nonsense', user: 'UCOMMANDER', triggerId: listTrigger, responseUrl: api.responseUrl(listTrigger) }));
    const listed = await api.waitForCall('response_url', (c) => c.responseId === listTrigger, 10_000);
    expect(listed.problems).toEqual([]);
    expect(String(listed.args.text)).toContain('unknown playbook "nonsense"');
    expect(String(listed.args.text)).toContain('suspicious-container');
  });

  it('/secops incident without a playbook opens a picker; a choice turns it into that playbook\'s form, and a stale one changes nothing', async () => {
    const trigger = api.triggerId();
    await postToSlackApp(slack.url, slashCommand({ text: 'incident', user: 'UCOMMANDER', triggerId: trigger, responseUrl: api.responseUrl(trigger) }));
    const opened = await api.waitForCall('views.open', (c) => c.args.trigger_id === trigger, 10_000);
    expect(opened.problems).toEqual([]);
    expect(opened.args.view).toEqual(playbookPickerModal(listPlaybooks()));
    const picker = opened.response.view as { id: string; hash: string };
    const options = ((opened.args.view as { blocks: { elements?: { options: { value: string }[] }[] }[] }).blocks[1]!.elements![0]!.options).map((o) => o.value);
    expect(options).toEqual(listPlaybooks().map((p) => p.id));

    const choose = (selected: string, hash: string) => postToSlackApp(slack.url, viewSelect({
      actionId: PLAYBOOK_PICKER_ACTION, selected, user: 'UCOMMANDER', triggerId: api.triggerId(), viewId: picker.id, hash, callbackId: PLAYBOOK_PICKER_CALLBACK,
    }));
    expect((await choose('drill', picker.hash)).status).toBe(200);
    const updated = await api.waitForCall('views.update', (c) => c.args.view_id === picker.id, 10_000);
    expect(updated.problems).toEqual([]);
    expect(updated.response.ok).toBe(true);
    expect(updated.args).toMatchObject({ view_id: picker.id, hash: picker.hash, view: incidentModal(findPlaybook('drill')!) });

    // The same choice again quotes the picker's old hash: Slack refuses it, and the form stays.
    const before = api.callsTo('views.update').length;
    await choose('suspicious-container', picker.hash);
    const stale = await api.waitForCall('views.update', (c) => api.callsTo('views.update').indexOf(c) >= before, 10_000);
    expect(stale.response).toMatchObject({ ok: false, error: 'hash_conflict' });
    // A value the picker never offered is not sent to Slack at all.
    const calls = api.callsTo('views.update').length;
    expect((await choose('no-such-playbook', picker.hash)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(api.callsTo('views.update')).toHaveLength(calls);
    expect(await runsOnQueue()).toEqual([]);
  });

  it('an empty required field is refused beside it, and nothing starts', async () => {
    const response = await submit('suspicious-container', { 'input.container': '', 'input.reason': '' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ response_action: 'errors', errors: { 'input.container': expect.stringContaining('must name a container') } });
    expect(await runsOnQueue()).toEqual([]);
    expect(await listIncidents(fresh.db, { limit: 10 })).toEqual([]);
  });

  it('a valid drill starts the incident with the submitter as commander, and tells them its id', async () => {
    const response = await submit('drill', { 'input.steps': '0', 'input.stepDelaySeconds': '', title: 'Game day' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const told = await api.waitForCall('chat.postMessage', (c) => c.args.channel === 'UCOMMANDER' && String(c.args.text).includes('Opened incident'), 15_000);
    expect(told.problems).toEqual([]);
    const workflowId = /`(incident:[^`]+)`/.exec(String(told.args.text))![1]!;
    const handle = client.workflow.getHandle(workflowId);
    started.push(handle);
    await waitUntil('the incident answers its query', async () => (await handle.query(incidentQuery).catch(() => undefined)) !== undefined, 15_000);
    const view = await handle.query(incidentQuery);
    expect(view).toMatchObject({ title: 'Game day', severity: 'SEV4', roles: { commander: 'slack:UCOMMANDER' }, playbook: 'drill' });
    expect(view.participants).toContain('slack:UCOMMANDER');
    expect((await handle.describe()).taskQueue).toBe(taskQueues.control);
  });
});

import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { WebClient } from '@slack/web-api';
import type { App } from '@slack/bolt';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createSlackGroupActivities } from '../../activities/slack/slack-groups';
import { freePort } from './ports';
import { parseConfig, type Config } from '../../domain/config';
import { parseEnvironment, type Environment } from '../../domain/environment';
import type { TaskQueueNames } from '../../domain/task-queues';
import { SLACK_APP_KEY, testKeyPem, testSlackApp } from './test-ballots';
import { createSlackApp } from '../../slack-app/app';
import type { Database } from '../../store/database';
import { createWorkers } from '../../worker/create-workers';
import { bundleWorkflows } from '../../worker/workflow-bundle';
import type { FreshDatabase } from './database';
import { TEAM_ID, type SlackApiServer, type SlackChannel } from './slack-api-server';
import { slackSignatureHeaders } from './slack-signing';

/**
 * The Slack boundary as Slack drives it: the real Bolt app (createSlackApp, HTTP receiver)
 * on a loopback port, requests shaped and signed as Slack sends them, the validating Slack
 * API server as the Web API, and real workers posting their approval messages through it.
 */
export const SIGNING_SECRET = 'test-signing-secret-not-real';
export const BOT_TOKEN = 'test-bot-token-test-secops-app';
/** Where the workers post approval requests when a target names no channel. */
export const APPROVALS_CHANNEL = 'C0APPROVALS';
/** The approvals channel as the fake workspace knows it: the bot was invited. */
export const APPROVALS: SlackChannel = { id: APPROVALS_CHANNEL, name: 'approvals', member: true };
/** The scanner image named in test configs: absent on purpose, so an approved scan ends quickly with ScannerImageMissing. */
export const ABSENT_SCANNER_IMAGE = 'secops-flow/absent-in-tests:never';

export function slackEnvironment(api: SlackApiServer, extra: Record<string, string> = {}): Environment {
  return parseEnvironment({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: api.url, SECOPS_LOG_LEVEL: 'ERROR', SECOPS_SLACK_BALLOT_KEY: testKeyPem(SLACK_APP_KEY), ...extra });
}

/** A target id no other test uses, so SecopsTarget searches see this test's runs only. */
export function uniqueTargetId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * A config with one target at a loopback port nothing listens on and an active-scan
 * policy: a `full` scan stops at the approval gate, which is all these tests need.
 */
export function approvalConfig(input: { taskQueues: TaskQueueNames; targetId: string; targetPort: number; policy: Record<string, unknown>; profile?: 'baseline' | 'full' }): Config {
  return parseConfig(JSON.stringify({
    version: 1,
    taskQueues: input.taskQueues,
    artifactsDir: '/tmp/secops-slack-tests',
    scanners: { images: { zap: ABSENT_SCANNER_IMAGE, wapiti: ABSENT_SCANNER_IMAGE } },
    targets: [{ id: input.targetId, url: `http://127.0.0.1:${input.targetPort}/`, engine: 'wapiti', profile: input.profile ?? 'full', scope: { hosts: ['127.0.0.1'] }, owners: ['UTRIAGER', 'USLOW', 'security-team'] }],
    approvals: { 'dast.active-scan': input.policy },
    slackApp: testSlackApp(),
    // The people these tests act as; test/e2e/slack-authorization.test.ts covers everyone else.
    authorization: { 'run.status': { users: ['UREQUESTER', 'UAPPROVER1'] } },
  }));
}

export interface RunningSlackApp {
  app: App;
  port: number;
  /** The request URL Slack is configured with. */
  url: string;
  stop(): Promise<void>;
}

/** createSlackApp with the HTTP receiver on a loopback port (a given one, to restart in place). */
export async function startSlackApp(input: { api: SlackApiServer; config: Config; client: Client; db?: Database; port?: number }): Promise<RunningSlackApp> {
  const port = input.port ?? (await freePort());
  const app = createSlackApp({ env: slackEnvironment(input.api), config: input.config, client: input.client, db: input.db, receiver: 'http' });
  await app.start(port);
  return { app, port, url: `http://127.0.0.1:${port}/slack/events`, stop: async () => void (await app.stop()) };
}

export interface RunningWorkers {
  taskQueues: TaskQueueNames;
  stop(): Promise<void>;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/**
 * The production workers (bundle, activities) on their own task queues, their Slack client pointed at the API server.
 * `slackChannel` is the workers' default channel; `groupsClock` replaces the user-group cache's clock.
 */
export async function startSlackWorkers(input: {
  address: string; api: SlackApiServer; store: { db: Database; url: string }; taskQueues: TaskQueueNames; slackChannel?: string; groupsClock?: () => number;
}): Promise<RunningWorkers> {
  bundle ??= bundleWorkflows();
  const connection = await NativeConnection.connect({ address: input.address });
  const slack = new WebClient(BOT_TOKEN, { slackApiUrl: input.api.url });
  const activities = {
    ...createActivities({ docker: new Docker(), store: input.store, slack, slackChannel: input.slackChannel ?? APPROVALS_CHANNEL }),
    ...(input.groupsClock && createSlackGroupActivities(slack, input.groupsClock)),
  };
  const workers: Worker[] = await createWorkers({ connection, namespace: 'default', roles: ['control', 'scanners'], taskQueues: input.taskQueues, activities, workflowBundle: await bundle });
  const running = workers.map((w) => w.run());
  return {
    taskQueues: input.taskQueues,
    async stop() {
      workers.forEach((w) => w.shutdown());
      await Promise.all(running);
      await connection.close();
    },
  };
}

const FORM = 'application/x-www-form-urlencoded';

export interface SlackRequest {
  body: string;
  contentType: string;
}

/** Posts as Slack does; signed with the app's secret unless other headers are given. */
export function postToSlackApp(url: string, request: SlackRequest, headers: Record<string, string> = slackSignatureHeaders(SIGNING_SECRET, request.body)): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': request.contentType, ...headers }, body: request.body });
}

export function slashCommand(input: { text: string; user: string; triggerId: string; responseUrl: string; channel?: string }): SlackRequest {
  const fields = {
    token: 'deprecated-verification-token', team_id: TEAM_ID, team_domain: 'acme-security', channel_id: input.channel ?? 'C0GENERAL', channel_name: 'general',
    user_id: input.user, user_name: input.user.toLowerCase(), command: '/secops', text: input.text, api_app_id: 'A0SECOPS',
    response_url: input.responseUrl, trigger_id: input.triggerId,
  };
  return { body: new URLSearchParams(fields).toString(), contentType: FORM };
}

/**
 * A `block_actions` click: in a channel message by default, in App Home with `home: true`.
 * `triggerId` comes from the fake Slack (`api.triggerId()`), as Slack issues one per click.
 */
export function buttonClick(input: { actionId: string; value: string; user: string; triggerId: string; channel?: string; messageTs?: string; home?: boolean; responseUrl?: string }): SlackRequest {
  const channel = input.channel ?? APPROVALS_CHANNEL;
  const payload = {
    ...blockActions(input),
    ...(input.home
      ? { container: { type: 'view', view_id: 'V0HOME' }, view: { id: 'V0HOME', type: 'home', blocks: [] } }
      : {
        container: { type: 'message', message_ts: input.messageTs ?? '1.000001', channel_id: channel, is_ephemeral: false },
        channel: { id: channel, name: 'approvals' },
        message: { type: 'message', ts: input.messageTs ?? '1.000001', text: 'Approval needed' },
        ...(input.responseUrl && { response_url: input.responseUrl }),
      }),
    actions: [{ type: 'button', action_id: input.actionId, block_id: 'approval.vote:0', value: input.value, action_ts: `${Date.now() / 1000}` }],
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: FORM };
}

/** What every `block_actions` payload says about where it comes from and who acted. */
function blockActions(input: { user: string; triggerId: string }) {
  return {
    type: 'block_actions',
    team: { id: TEAM_ID, domain: 'acme-security' },
    user: { id: input.user, username: input.user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0SECOPS',
    token: 'deprecated-verification-token',
    trigger_id: input.triggerId,
  };
}

/** A choice in a modal's static select (block_actions from a view): `viewId` and `hash` as views.open answered them. */
export function viewSelect(input: { actionId: string; selected: string; user: string; triggerId: string; viewId: string; hash: string; callbackId: string }): SlackRequest {
  const payload = {
    ...blockActions(input),
    container: { type: 'view', view_id: input.viewId },
    view: { id: input.viewId, team_id: TEAM_ID, type: 'modal', callback_id: input.callbackId, hash: input.hash, private_metadata: '', state: { values: {} } },
    actions: [{ type: 'static_select', action_id: input.actionId, block_id: input.actionId, selected_option: { text: { type: 'plain_text', text: input.selected }, value: input.selected }, action_ts: `${Date.now() / 1000}` }],
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: FORM };
}

/** A modal's submission; `values` by input name (block_id = action_id = name), dates as `selected_date`. */
export function viewSubmission(input: { callbackId: string; metadata: string; user: string; triggerId: string; values: Record<string, string>; dates?: Record<string, string> }): SlackRequest {
  const values: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [name, value] of Object.entries(input.values)) values[name] = { [name]: { type: 'plain_text_input', value } };
  for (const [name, day] of Object.entries(input.dates ?? {})) values[name] = { [name]: { type: 'datepicker', selected_date: day } };
  const payload = {
    type: 'view_submission',
    team: { id: TEAM_ID, domain: 'acme-security' },
    user: { id: input.user, username: input.user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0SECOPS',
    trigger_id: input.triggerId,
    view: { id: 'V0MODAL', team_id: TEAM_ID, type: 'modal', callback_id: input.callbackId, private_metadata: input.metadata, state: { values }, hash: '1.abc' },
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: FORM };
}

/** The Events API delivery of `app_home_opened`. */
export function appHomeOpened(user: string): SlackRequest {
  const body = {
    token: 'deprecated-verification-token', team_id: TEAM_ID, api_app_id: 'A0SECOPS', type: 'event_callback', event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`, event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home', event_ts: `${Date.now() / 1000}` },
  };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

/** The Events API delivery of `reaction_added`: `user` reacted with `reaction` (`pushpin` for 📌) to the message at `ts` in `channel`. */
export function reactionAdded(input: { user: string; reaction: string; channel: string; ts: string; itemUser?: string }): SlackRequest {
  const body = {
    token: 'deprecated-verification-token', team_id: TEAM_ID, api_app_id: 'A0SECOPS', type: 'event_callback', event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`, event_time: Math.floor(Date.now() / 1000),
    event: { type: 'reaction_added', user: input.user, reaction: input.reaction, item_user: input.itemUser ?? input.user, item: { type: 'message', channel: input.channel, ts: input.ts }, event_ts: `${Date.now() / 1000}` },
  };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

/** What a Slack e2e file starts, each part possibly absent when its beforeAll failed early. */
export interface SlackTestParts {
  started: WorkflowHandle[];
  slack?: RunningSlackApp;
  workers?: RunningWorkers;
  client?: Client;
  fresh?: FreshDatabase;
  api?: SlackApiServer;
}

/** Ends it all, the file's own runs first so no worker is left serving them. */
export async function stopSlackTest(parts: SlackTestParts): Promise<void> {
  for (const handle of parts.started) await handle.terminate('test over').catch(() => undefined);
  await parts.slack?.stop();
  await parts.workers?.stop();
  await parts.client?.connection.close();
  await parts.fresh?.drop();
  await parts.api?.close();
}

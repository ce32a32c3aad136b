import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { parseConfig, type Config } from '../../domain/config';
import { startSlackApiServer, type RecordedCall, type SlackApiServer } from '../support/slack-api-server';
import { BOT_TOKEN, postToSlackApp, slashCommand, startSlackApp, type RunningSlackApp } from '../support/slack-app-harness';
import { devServerClient, uniqueTaskQueues } from '../support/workers';
import { SLACK_APP_KEY, testPublicKey, testSlackApp } from '../support/test-ballots';

/**
 * README: "`secops rotate <credential>` and `/secops rotate <credential>` start one now".
 * Signed slash commands into the real Bolt app, which starts the real credentialRotation
 * on the dev server. No worker polls this file's task queues: a started rotation stays
 * visible and inert, so its id and input can be read back and nothing rotates for real.
 */
describe('Slack app: /secops rotate', () => {
  const suffix = randomBytes(4).toString('hex');
  const credentialId = `orders-db-${suffix}`;
  const unknownId = `payments-db-${suffix}`;
  const workflowId = `rotate:${credentialId}`;
  const promotePolicy = { approvers: { users: ['UAPPROVER1'] } };
  let api: SlackApiServer;
  let client: Client;
  let slack: RunningSlackApp;
  let config: Config;

  beforeAll(async () => {
    api = await startSlackApiServer({ botToken: BOT_TOKEN });
    client = await devServerClient();
    config = parseConfig(JSON.stringify({
      version: 1,
      taskQueues: uniqueTaskQueues(),
      credentials: [{
        id: credentialId,
        target: { provider: 'postgres-role', adminUrlEnv: 'ORDERS_DB_ADMIN_URL', strategy: 'alternating-users', role: 'orders_app' },
        secretStore: { provider: 'file', file: '/nonexistent/secops-rotate-command.json', path: 'db/orders' },
        gracePeriod: '2h',
        onCallChannel: '#oncall',
      }],
      approvals: { 'rotation.promote': promotePolicy },
      slackApp: testSlackApp(),
      authorization: { 'rotation.start': { users: ['UROTATOR', 'UOTHER'] } },
    }));
    slack = await startSlackApp({ api, config, client });
  });
  afterAll(async () => {
    await client?.workflow.getHandle(workflowId).terminate('test over').catch(() => undefined);
    await slack?.stop();
    await client?.connection.close();
    await api?.close();
  });

  /** A signed `/secops <text>` by `user`, and the app's answer through the response_url Slack issued with it. */
  async function command(text: string, user = 'UROTATOR'): Promise<RecordedCall> {
    const trigger = api.triggerId();
    const response = await postToSlackApp(slack.url, slashCommand({ text, user, triggerId: trigger, responseUrl: api.responseUrl(trigger) }));
    expect(response.status).toBe(200);
    const reply = await api.waitForCall('response_url', (call) => call.responseId === trigger, 15_000);
    expect(reply.problems).toEqual([]);
    expect(reply.args.response_type).toBe('ephemeral');
    return reply;
  }

  const notFound = (id: string) => client.workflow.getHandle(id).describe().then(() => false, (error: unknown) => error instanceof WorkflowNotFoundError);

  it('starts credentialRotation under rotate:<credential> with the configured credential and the person as requester', async () => {
    const reply = await command(`rotate ${credentialId}`);
    expect(reply.args.text).toContain(`Started the rotation of *${credentialId}*`);
    expect(reply.args.text).toContain(workflowId);

    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    expect(description).toMatchObject({ type: 'credentialRotation', taskQueue: config.taskQueues.control, status: { name: 'RUNNING' } });
    const started = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
    const [input] = (started?.input?.payloads ?? []).map((payload) => defaultPayloadConverter.fromPayload(payload));
    expect(config.approvals['rotation.promote']?.approvers.users).toEqual(promotePolicy.approvers.users);
    expect(input).toEqual({
      credential: {
        id: credentialId,
        target: { provider: 'postgres-role', adminUrlEnv: 'ORDERS_DB_ADMIN_URL', strategy: 'alternating-users', role: 'orders_app' },
        secretStore: { provider: 'file', file: '/nonexistent/secops-rotate-command.json', path: 'db/orders' },
        gracePeriod: '2h',
        onCallChannel: '#oncall',
      },
      taskQueue: config.taskQueues.control,
      requestedBy: 'slack:UROTATOR',
      // The policy as the config parsed it, defaults filled in, with the Slack app's key the gate will trust.
      promotePolicy: { ...config.approvals['rotation.promote'], slackAppPublicKey: testPublicKey(SLACK_APP_KEY) },
    });
  });

  it('starts nothing new while a rotation of the credential runs, and says so', async () => {
    const before = await client.workflow.getHandle(workflowId).describe();
    const reply = await command(`rotate ${credentialId}`, 'UOTHER');
    expect(reply.args.text).toContain(`a rotation of ${credentialId} is already running`);
    expect(reply.args.text).toContain('nothing new was started');
    // The answer comes after the start was refused: a second run would already exist.
    const after = await client.workflow.getHandle(workflowId).describe();
    expect(after.runId).toBe(before.runId);
  });

  it('refuses a credential the config does not name, lists the configured ones, and starts nothing', async () => {
    const reply = await command(`rotate ${unknownId}`);
    expect(reply.args.text).toContain(`No credential \`${unknownId}\` in the config`);
    expect(reply.args.text).toContain(credentialId);
    expect(await notFound(`rotate:${unknownId}`)).toBe(true);
  });

  it('answers a rotate without exactly one credential id with the usage, at once, starting nothing', async () => {
    for (const text of ['rotate', `rotate ${credentialId} ${unknownId}`]) {
      const before = api.calls.length;
      const trigger = api.triggerId();
      const response = await postToSlackApp(slack.url, slashCommand({ text, user: 'UROTATOR', triggerId: trigger, responseUrl: api.responseUrl(trigger) }));
      expect(await response.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('rotate needs exactly one credential id') });
      // The usage is the HTTP answer itself: no listener runs after it, so nothing else can follow.
      expect(api.calls.slice(before).filter((call) => call.method !== 'auth.test')).toEqual([]);
    }
    expect(await notFound(`rotate:${unknownId}`)).toBe(true);
  });
});

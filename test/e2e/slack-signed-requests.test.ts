import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { freePort } from '../support/ports';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { APPROVAL_ACTIONS } from '../../render/slack/approval-request';
import { slackScanWorkflowId } from '../../slack-app/handlers/scan-command';
import { startSlackApiServer, type RecordedCall, type SlackApiServer } from '../support/slack-api-server';
import {
  approvalConfig, APPROVALS, buttonClick, postToSlackApp, SIGNING_SECRET, slashCommand, startSlackApp, uniqueTargetId, type RunningSlackApp, type SlackRequest,
} from '../support/slack-app-harness';
import { slackSignatureHeaders } from '../support/slack-signing';
import { devServerClient, uniqueTaskQueues } from '../support/workers';

/**
 * What reaches the Slack app from the internet: only requests Slack signed, recently, once.
 * Bolt verifies; these check that an unverified request changes nothing, and that a
 * replayed valid one (which verification cannot catch within 5 minutes) changes nothing more.
 * No worker polls these task queues: a started scan stays visible and inert.
 */
describe('Slack app: signed requests', () => {
  let api: SlackApiServer;
  let client: Client;
  let slack: RunningSlackApp;
  const targetId = uniqueTargetId('signed');

  beforeAll(async () => {
    api = await startSlackApiServer({ botToken: 'test-bot-token-test-secops-app', channels: [APPROVALS] });
    client = await devServerClient();
    const config = approvalConfig({ taskQueues: uniqueTaskQueues(), targetId, targetPort: await freePort(), policy: { approvers: { users: ['UAPPROVER1'] } }, profile: 'baseline' });
    slack = await startSlackApp({ api, config, client });
  });
  afterAll(async () => {
    for (const id of await scansOfTarget()) await client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    await slack?.stop();
    await client?.connection.close();
    await api?.close();
  });

  async function scansOfTarget(): Promise<string[]> {
    const ids: string[] = [];
    for await (const run of client.workflow.list({ query: `${SEARCH_ATTRIBUTES.target.name} = '${targetId}'` })) ids.push(run.workflowId);
    return ids;
  }

  const scanRequest = (trigger: string) => slashCommand({ text: `scan ${targetId}`, user: 'UREQUESTER', triggerId: trigger, responseUrl: api.responseUrl(trigger) });
  const exists = (workflowId: string) => client.workflow.getHandle(workflowId).describe().then(() => true, () => false);
  /** Web API calls since `before`, without Bolt's own token check (auth.test), which is no effect of a request. */
  const effectsSince = (before: number) => api.calls.slice(before).filter((call) => call.method !== 'auth.test');

  /**
   * A valid signed `/secops status` sent after a refused request and answered through its
   * response_url: proof the app is up and handling requests when we then look for effects.
   */
  async function marker(): Promise<RecordedCall> {
    const trigger = api.triggerId();
    const request = slashCommand({ text: `status marker-${trigger}`, user: 'UREQUESTER', triggerId: trigger, responseUrl: api.responseUrl(trigger) });
    expect((await postToSlackApp(slack.url, request)).status).toBe(200);
    const reply = await api.waitForCall('response_url', (call) => call.responseId === trigger, 10_000);
    expect(reply.args.text).toContain('No run');
    return reply;
  }

  /**
   * The request must be refused with `status` and start nothing. Bolt answers a refusal
   * before any listener runs, so once the answer and a later marker are in, nothing can follow.
   */
  async function expectRefusedWithoutEffect(request: SlackRequest, trigger: string, headers: Record<string, string>, status: number): Promise<void> {
    const before = api.calls.length;
    const response = await postToSlackApp(slack.url, request, headers);
    expect(response.status).toBe(status);
    const answered = await marker();
    expect(await exists(slackScanWorkflowId(targetId, trigger))).toBe(false);
    expect(effectsSince(before)).toEqual([answered]);
  }

  it('starts a scan for a valid signed /secops scan and answers with its workflow id', async () => {
    const trigger = api.triggerId();
    const response = await postToSlackApp(slack.url, scanRequest(trigger));
    expect(response.status).toBe(200);
    const reply = await api.waitForCall('response_url', (call) => call.responseId === trigger, 10_000);
    const workflowId = slackScanWorkflowId(targetId, trigger);
    expect(reply.problems).toEqual([]);
    expect(reply.args).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining(workflowId) });
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.type).toBe('dastScan');
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.target)).toBe(targetId);
  });

  it('refuses a wrong signature with 401', async () => {
    const trigger = api.triggerId();
    const request = scanRequest(trigger);
    await expectRefusedWithoutEffect(request, trigger, slackSignatureHeaders('not-the-signing-secret', request.body), 401);
  });

  it('refuses a correctly signed request older than 5 minutes with 401', async () => {
    const trigger = api.triggerId();
    const request = scanRequest(trigger);
    await expectRefusedWithoutEffect(request, trigger, slackSignatureHeaders(SIGNING_SECRET, request.body, Math.floor(Date.now() / 1000) - 6 * 60), 401);
  });

  it('refuses a request without signature headers with 401', async () => {
    const trigger = api.triggerId();
    await expectRefusedWithoutEffect(scanRequest(trigger), trigger, {}, 401);
  });

  it('refuses a body altered after signing with 401', async () => {
    const trigger = api.triggerId();
    const signed = scanRequest(trigger);
    const altered = { ...signed, body: signed.body.replace(`scan+${targetId}`, `scan+${targetId}+full`) };
    await expectRefusedWithoutEffect(altered, trigger, slackSignatureHeaders(SIGNING_SECRET, signed.body), 401);
  });

  it('refuses a correctly signed request stamped more than 5 minutes ahead with 401 (Bolt alone lets it through)', async () => {
    const trigger = api.triggerId();
    const request = scanRequest(trigger);
    await expectRefusedWithoutEffect(request, trigger, slackSignatureHeaders(SIGNING_SECRET, request.body, Math.floor(Date.now() / 1000) + 6 * 60), 401);
  });

  it('refuses a malformed timestamp with 401', async () => {
    const trigger = api.triggerId();
    const request = scanRequest(trigger);
    const headers = { ...slackSignatureHeaders(SIGNING_SECRET, request.body), 'x-slack-request-timestamp': '1e10' };
    await expectRefusedWithoutEffect(request, trigger, headers, 401);
  });

  it('refuses a replay of a handled request with 401, within the freshness window, and starts nothing more', async () => {
    const trigger = api.triggerId();
    const request = scanRequest(trigger);
    const headers = slackSignatureHeaders(SIGNING_SECRET, request.body);
    const workflowId = slackScanWorkflowId(targetId, trigger);
    expect((await postToSlackApp(slack.url, request, headers)).status).toBe(200);
    await api.waitForCall('response_url', (call) => call.responseId === trigger, 10_000);
    const first = await client.workflow.getHandle(workflowId).describe();

    const before = api.calls.length;
    expect((await postToSlackApp(slack.url, request, headers)).status).toBe(401);
    const answered = await marker();
    expect(effectsSince(before)).toEqual([answered]);
    const latest = await client.workflow.getHandle(workflowId).describe();
    expect(latest.runId).toBe(first.runId);
    expect(latest.status.name).toBe('RUNNING');
  });

  it('answers an interactive request with malformed payload JSON with 400 and does nothing', async () => {
    const before = api.calls.length;
    const body = new URLSearchParams({ payload: '{"type":"block_actions","actions":[{"action_id":' }).toString();
    const response = await postToSlackApp(slack.url, { body, contentType: 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(400);
    const answered = await marker();
    expect(effectsSince(before)).toEqual([answered]);
  });

  it('acknowledges a signed click on an approval that does not exist and only explains it to the clicker', async () => {
    const approvalId = `${slackScanWorkflowId(targetId, 'never-started')}#1@00000000-0000-4000-8000-000000000000`;
    const response = await postToSlackApp(slack.url, buttonClick({ actionId: APPROVAL_ACTIONS.approve, value: approvalId, user: 'UAPPROVER1', triggerId: api.triggerId() }));
    expect(response.status).toBe(200);
    const explained = await api.waitForCall('chat.postEphemeral', (call) => call.args.user === 'UAPPROVER1', 10_000);
    expect(explained.problems).toEqual([]);
    expect(explained.args.text).toContain('not pending');
    expect(await exists(slackScanWorkflowId(targetId, 'never-started'))).toBe(false);
  });

  it('answers /secops help at once with the ephemeral usage', async () => {
    const request = slashCommand({ text: 'help', user: 'UREQUESTER', triggerId: api.triggerId(), responseUrl: api.responseUrl('help') });
    const response = await postToSlackApp(slack.url, request);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Usage: /secops') });
  });
});

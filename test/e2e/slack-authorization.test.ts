import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { parseConfig, type Config } from '../../domain/config';
import { listAuditEvents } from '../../store/audit-events';
import { migrate } from '../../store/migrations';
import { triageDecisions } from '../../store/triage';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { manualClock } from '../support/manual-clock';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import { BOT_TOKEN, buttonClick, postToSlackApp, slashCommand, startSlackApp, uniqueTargetId, viewSubmission, type RunningSlackApp } from '../support/slack-app-harness';
import { testSlackApp } from '../support/test-ballots';
import { devServerClient, uniqueTaskQueues } from '../support/workers';

/**
 * Slack proves who signed a request, not what they may do: the config's authorization
 * rules and target owners decide that. Each refusal is told to the person only, audited,
 * and changes nothing: no workflow, no decision row. (Action ids and modal names are
 * written here as Slack's client sends them back.)
 */
describe('Slack app: authorization of commands and triage', () => {
  let api: SlackApiServer;
  let fresh: FreshDatabase;
  let client: Client;
  let slack: RunningSlackApp;
  let config: Config;
  const targetId = uniqueTargetId('authz');
  const credentialId = `authz-db-${targetId.slice(-8)}`;

  beforeAll(async () => {
    api = await startSlackApiServer({ botToken: BOT_TOKEN, now: manualClock().now, usergroups: { SOPS: ['UGROUPIE'], SOWNERS: ['UOWNERMEMBER'] } });
    fresh = await freshDatabase();
    await migrate(fresh.db);
    client = await devServerClient();
    config = parseConfig(JSON.stringify({
      version: 1,
      taskQueues: uniqueTaskQueues(),
      slackApp: testSlackApp(),
      targets: [{ id: targetId, url: 'http://127.0.0.1:9/', engine: 'wapiti', scope: { hosts: ['127.0.0.1'] }, owners: ['UOWNER', 'SOWNERS', 'security-team'] }],
      credentials: [{
        id: credentialId,
        target: { provider: 'postgres-role', adminUrlEnv: 'AUTHZ_DB_ADMIN_URL', strategy: 'alternating-users', role: 'authz_app' },
        secretStore: { provider: 'file', file: '/nonexistent/secops-authz.json', path: 'db/authz' },
        gracePeriod: '2h',
      }],
      authorization: { 'run.status': { groups: ['SOPS'] } },
      triage: { maxAcceptRiskDays: 30 },
    }));
    slack = await startSlackApp({ api, config, client, db: fresh.db });
  });
  afterAll(async () => {
    await slack?.stop();
    await client?.connection.close();
    await fresh?.drop();
    await api?.close();
  });

  async function command(user: string, text: string): Promise<string> {
    const trigger = api.triggerId();
    expect((await postToSlackApp(slack.url, slashCommand({ text, user, triggerId: trigger, responseUrl: api.responseUrl(trigger) }))).status).toBe(200);
    const reply = await api.waitForCall('response_url', (call) => call.responseId === trigger, 10_000);
    expect(reply.args.response_type).toBe('ephemeral');
    return String(reply.args.text);
  }
  const refusalsBy = async (user: string) => (await listAuditEvents(fresh.db, { actor: `slack:${user}` })).filter((e) => e.outcome === 'refused').map((e) => [e.action, e.subject, e.details.reason]);
  const exists = (workflowId: string) => client.workflow.getHandle(workflowId).describe().then(() => true, () => false);

  it('refuses /secops rotate to everyone while no rule names anyone (destructive: denied by default), starting nothing', async () => {
    const reply = await command('UANYONE', `rotate ${credentialId}`);
    expect(reply).toBe(':no_entry: not authorized: nobody may start a credential rotation from Slack until the config\'s authorization."rotation.start" names who may');
    expect(await exists(`rotate:${credentialId}`)).toBe(false);
    expect(await refusalsBy('UANYONE')).toEqual([['command.rotation.start', credentialId, 'nobody may start a credential rotation from Slack until the config\'s authorization."rotation.start" names who may']]);
  });

  it('lets a member of a named user group read a run\'s status, and refuses everyone else without revealing anything', async () => {
    const workflowId = `dast:${targetId}:authz-status`;
    const outsider = await command('UOUTSIDER', `status ${workflowId}`);
    expect(outsider).toBe(':no_entry: not authorized: slack:UOUTSIDER may not read run status: authorization."run.status" does not name you or a group you are in');
    expect(outsider).not.toContain('No run');
    expect(await refusalsBy('UOUTSIDER')).toEqual([['command.run.status', workflowId, expect.stringContaining('may not read run status')]]);
    // A group member gets the real answer (here: no such run).
    expect(await command('UGROUPIE', `status ${workflowId}`)).toContain('No run');
    expect(await refusalsBy('UGROUPIE')).toEqual([]);
  });

  const fingerprint = 'c0ffee' + '0'.repeat(58);
  const ref = JSON.stringify({ t: targetId, f: fingerprint });
  const acceptRisk = (user: string, day: string) =>
    postToSlackApp(slack.url, viewSubmission({ callbackId: 'triage.accept-risk', metadata: ref, user, triggerId: api.triggerId(), values: { reason: 'behind the WAF' }, dates: { expires: day } }));
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  it('accepts a risk only from the target\'s owners (users or owner groups) and only up to the configured limit', async () => {
    const stranger = await (await acceptRisk('USTRANGER', inDays(10))).json();
    expect(stranger).toEqual({ response_action: 'errors', errors: { expires: `not authorized: slack:USTRANGER may not accept a risk on ${targetId}: only its owners may (targets[].owners)` } });
    const tooLong = await (await acceptRisk('UOWNER', inDays(45))).json();
    expect(tooLong).toEqual({ response_action: 'errors', errors: { expires: 'not authorized: an accepted risk may last at most 30 days (triage.maxAcceptRiskDays)' } });
    expect(await triageDecisions(fresh.db, targetId)).toEqual([]);
    expect((await refusalsBy('USTRANGER')).map(([action, subject]) => [action, subject])).toEqual([['triage.accepted-risk', `${targetId}/${fingerprint}`]]);

    // A member of an owner group may, within the limit.
    expect((await acceptRisk('UOWNERMEMBER', inDays(10))).status).toBe(200);
    expect((await triageDecisions(fresh.db, targetId)).map((d) => [d.kind, d.decidedBy])).toEqual([['accepted-risk', 'slack:UOWNERMEMBER']]);
  });

  it('refuses the False positive button to someone who does not own the target, telling them only', async () => {
    const other = 'beef' + '1'.repeat(60);
    const before = api.callsTo('chat.postEphemeral').length;
    const click = buttonClick({ actionId: 'triage.false-positive', value: JSON.stringify({ t: targetId, f: other }), user: 'USTRANGER', triggerId: api.triggerId(), channel: 'C0SCANS' });
    expect((await postToSlackApp(slack.url, click)).status).toBe(200);
    const told = await api.waitForCall('chat.postEphemeral', (call) => call.args.user === 'USTRANGER', 10_000);
    expect(api.callsTo('chat.postEphemeral').length).toBe(before + 1);
    expect(told.args.text).toContain(`:no_entry: not authorized: slack:USTRANGER may not triage findings of ${targetId}`);
    expect((await triageDecisions(fresh.db, targetId)).filter((d) => d.fingerprint === other)).toEqual([]);
  });
});

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { compareWithBaseline } from '../../domain/baseline';
import type { Finding } from '../../domain/finding';
import { listAuditEvents } from '../../store/audit-events';
import { migrate } from '../../store/migrations';
import { triageDecisions } from '../../store/triage';
import { TRIAGE_ACTIONS, type TriageRef } from '../../render/slack/scan-summary';
import { MODAL_CALLBACKS, MODAL_INPUTS } from '../../render/slack/triage-modals';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { manualClock } from '../support/manual-clock';
import { startSlackApiServer, TRIGGER_LIFETIME_MS, type SlackApiServer } from '../support/slack-api-server';
import {
  approvalConfig, APPROVALS, BOT_TOKEN, buttonClick, postToSlackApp, startSlackApp, uniqueTargetId, viewSubmission, type RunningSlackApp,
} from '../support/slack-app-harness';
import { devServerClient, uniqueTaskQueues } from '../support/workers';

const DAY_MS = 86_400_000;
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);
/** The day after `day` (YYYY-MM-DD), from the day itself: no second reading of the clock that midnight could fall between. */
const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);
const fingerprintOf = (name: string) => createHash('sha256').update(name).digest('hex');

/**
 * Triage from a scan summary's buttons into the store, where the next scan's baseline
 * comparison reads it: Accept risk (modal, must expire in the future), False positive
 * (direct), Ticket link (modal, http(s) only).
 */
describe('Slack app: triage buttons', () => {
  let api: SlackApiServer;
  let fresh: FreshDatabase;
  let client: Client;
  let slack: RunningSlackApp;
  let storeless: RunningSlackApp;
  const targetId = uniqueTargetId('triage');
  const clock = manualClock();

  beforeAll(async () => {
    // The fake's clock stands still: a loaded machine cannot expire a trigger_id between click and modal.
    api = await startSlackApiServer({ botToken: BOT_TOKEN, now: clock.now, channels: [APPROVALS, { id: 'C0SCANS', name: 'scans', member: true }] });
    fresh = await freshDatabase();
    await migrate(fresh.db);
    client = await devServerClient();
    const config = approvalConfig({ taskQueues: uniqueTaskQueues(), targetId, targetPort: 9, policy: { approvers: { users: ['UAPPROVER1'] } } });
    slack = await startSlackApp({ api, config, client, db: fresh.db });
    storeless = await startSlackApp({ api, config, client });
  });
  afterAll(async () => {
    await slack?.stop();
    await storeless?.stop();
    await client?.connection.close();
    await fresh?.drop();
    await api?.close();
  });

  const refOf = (fingerprint: string) => JSON.stringify({ t: targetId, f: fingerprint } satisfies TriageRef);
  const press = (app: RunningSlackApp, actionId: string, fingerprint: string, user = 'UTRIAGER') => postToSlackApp(app.url, buttonClick({ actionId, value: refOf(fingerprint), user, triggerId: api.triggerId(), channel: 'C0SCANS' }));
  const submit = (callbackId: string, fingerprint: string, values: Record<string, string>, dates?: Record<string, string>) =>
    postToSlackApp(slack.url, viewSubmission({ callbackId, metadata: refOf(fingerprint), user: 'UTRIAGER', triggerId: api.triggerId(), values, dates }));
  const decisionsFor = async (fingerprint: string) => (await triageDecisions(fresh.db, targetId)).filter((d) => d.fingerprint === fingerprint);

  it('Accept risk: the button opens the modal; a past date is refused in the modal; a future one is stored and suppresses the finding', async () => {
    const fingerprint = fingerprintOf('accepted');
    expect((await press(slack, TRIAGE_ACTIONS.acceptRisk, fingerprint)).status).toBe(200);
    const opened = await api.waitForCall('views.open', (c) => (c.args.view as { private_metadata?: string }).private_metadata === refOf(fingerprint), 10_000);
    expect(opened.problems).toEqual([]);
    expect(opened.args.view).toMatchObject({ callback_id: MODAL_CALLBACKS.acceptRisk });

    // Should midnight pass before the app reads its clock, "today" becomes yesterday: refused all the same.
    const today = await submit(MODAL_CALLBACKS.acceptRisk, fingerprint, { [MODAL_INPUTS.reason]: 'compensating WAF rule' }, { [MODAL_INPUTS.expires]: isoDay(0) });
    expect(await today.json()).toEqual({ response_action: 'errors', errors: { [MODAL_INPUTS.expires]: 'the date must be in the future (after today)' } });
    const lastDay = isoDay(30);
    const noReason = await submit(MODAL_CALLBACKS.acceptRisk, fingerprint, { [MODAL_INPUTS.reason]: ' ' }, { [MODAL_INPUTS.expires]: lastDay });
    expect(await noReason.json()).toMatchObject({ response_action: 'errors', errors: { [MODAL_INPUTS.reason]: expect.any(String) } });
    expect(await decisionsFor(fingerprint)).toEqual([]);

    const accepted = await submit(MODAL_CALLBACKS.acceptRisk, fingerprint, { [MODAL_INPUTS.reason]: 'compensating WAF rule' }, { [MODAL_INPUTS.expires]: lastDay });
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toBe('');
    const [decision, ...more] = await decisionsFor(fingerprint);
    expect(more).toEqual([]);
    expect(decision).toMatchObject({ kind: 'accepted-risk', reason: 'compensating WAF rule', decidedBy: 'slack:UTRIAGER', expiresAt: `${dayAfter(lastDay)}T00:00:00.000Z` });

    const finding: Finding = {
      fingerprint, engine: 'zap', ruleId: '10038', title: 'CSP header not set', severity: 'medium', confidence: 'high', url: 'http://127.0.0.1', method: 'GET', references: [], instances: [],
    };
    const compared = compareWithBaseline({ current: [finding], baseline: [], triage: await triageDecisions(fresh.db, targetId), rules: new Map(), firstSeen: new Map(), now: new Date(), failOn: 'high' });
    expect(compared.findings[0]).toMatchObject({ status: 'suppressed', suppression: { kind: 'accepted-risk', decidedBy: 'slack:UTRIAGER' } });
    expect(compared.diff.suppressed).toBe(1);
    const audit = await listAuditEvents(fresh.db, { subject: `${targetId}/${fingerprint}` });
    expect(audit.map((e) => [e.actor, e.action, e.outcome])).toEqual([['slack:UTRIAGER', 'triage.accepted-risk', 'succeeded']]);
  });

  it('False positive: stored at once, with who marked it, and confirmed to the clicker only', async () => {
    const fingerprint = fingerprintOf('false-positive');
    expect((await press(slack, TRIAGE_ACTIONS.falsePositive, fingerprint)).status).toBe(200);
    const confirmed = await api.waitForCall('chat.postEphemeral', (c) => c.args.user === 'UTRIAGER' && String(c.args.text).includes('false positive'), 10_000);
    expect(confirmed.problems).toEqual([]);
    expect(await decisionsFor(fingerprint)).toMatchObject([{ kind: 'false-positive', reason: 'marked false positive in Slack by <@UTRIAGER>', decidedBy: 'slack:UTRIAGER' }]);
  });

  it('Ticket link: only an http(s) URL is stored', async () => {
    const fingerprint = fingerprintOf('ticket');
    expect((await press(slack, TRIAGE_ACTIONS.ticket, fingerprint)).status).toBe(200);
    await api.waitForCall('views.open', (c) => (c.args.view as { private_metadata?: string }).private_metadata === refOf(fingerprint), 10_000);
    const script = await submit(MODAL_CALLBACKS.ticket, fingerprint, { [MODAL_INPUTS.ticketUrl]: 'javascript:alert(1)' });
    expect(await script.json()).toMatchObject({ response_action: 'errors', errors: { [MODAL_INPUTS.ticketUrl]: expect.stringContaining('http(s)') } });
    expect(await decisionsFor(fingerprint)).toEqual([]);
    const saved = await submit(MODAL_CALLBACKS.ticket, fingerprint, { [MODAL_INPUTS.ticketUrl]: 'https://tracker.example.com/SEC-123' });
    expect(await saved.text()).toBe('');
    expect(await decisionsFor(fingerprint)).toMatchObject([{ kind: 'ticket', ticketUrl: 'https://tracker.example.com/SEC-123', decidedBy: 'slack:UTRIAGER' }]);
  });

  it('tells the triager to click again when the trigger_id expired before the modal opened, and stores nothing', async () => {
    const fingerprint = fingerprintOf('slow-click');
    const stale = api.triggerId();
    clock.advance(TRIGGER_LIFETIME_MS + 1);
    const click = await postToSlackApp(slack.url, buttonClick({ actionId: TRIAGE_ACTIONS.acceptRisk, value: refOf(fingerprint), user: 'USLOW', triggerId: stale, channel: 'C0SCANS' }));
    expect(click.status).toBe(200);
    const told = await api.waitForCall('chat.postEphemeral', (c) => c.args.user === 'USLOW', 10_000);
    expect(told.args).toMatchObject({ channel: 'C0SCANS', text: expect.stringContaining('Click Accept risk again') });
    expect(api.callsTo('views.open').filter((c) => c.args.trigger_id === stale).map((c) => c.response.error)).toEqual(['expired_trigger_id']);
    expect(await decisionsFor(fingerprint)).toEqual([]);
  });

  it('refuses a button whose value is not a triage reference, and explains triage is unavailable without a store', async () => {
    const before = api.calls.length;
    const forged = await postToSlackApp(slack.url, buttonClick({ actionId: TRIAGE_ACTIONS.falsePositive, value: '{"t":"x","f":"../../etc"}', user: 'UTRIAGER', triggerId: api.triggerId() }));
    expect(forged.status).toBe(200);
    expect((await press(storeless, TRIAGE_ACTIONS.falsePositive, fingerprintOf('no-store'), 'UNOSTORE')).status).toBe(200);
    const explained = await api.waitForCall('chat.postEphemeral', (c) => c.args.user === 'UNOSTORE', 10_000);
    expect(explained.args.text).toContain('DATABASE_URL');
    // The second app's first request also verifies its token (auth.test): Bolt's, not a triage effect.
    expect(api.calls.slice(before).map((c) => c.method).filter((m) => m !== 'auth.test')).toEqual(['chat.postEphemeral']);
    // The forged reference stored nothing, under the target it names or any other.
    expect(await triageDecisions(fresh.db, 'x')).toEqual([]);
    expect(await listAuditEvents(fresh.db, { subject: 'x/../../etc' })).toEqual([]);
  });
});

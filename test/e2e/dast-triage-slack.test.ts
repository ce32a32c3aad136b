import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { WebClient } from '@slack/web-api';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { parseConfig, type Config } from '../../domain/config';
import { parseEnvironment } from '../../domain/environment';
import { runUrl } from '../../domain/run-url';
import { dastScanInput, type DastScanResult } from '../../domain/dast';
import type { ReportedFinding, ScanReport } from '../../domain/scan-report';
import { startVulnerableApp, type VulnerableApp } from '../../demo/vulnerable-app';
import { recordTriage } from '../../client/record-triage';
import { migrate } from '../../store/migrations';
import { triageDecisions } from '../../store/triage';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { startSlackApiServer, type RecordedCall, type SlackApiServer } from '../support/slack-api-server';
import { BOT_TOKEN, buttonClick, postToSlackApp, startSlackApp, uniqueTargetId, viewSubmission, type RunningSlackApp } from '../support/slack-app-harness';
import { devServerClient, startWorkers, type RunningWorkers } from '../support/workers';
import { dastScan } from '../../workflows/dast-scan';

/** Slack's own action ids and modal names, as a person's client sends them back (written here, not imported). */
const ACCEPT_RISK = 'triage.accept-risk';
const FALSE_POSITIVE = 'triage.false-positive';
const TICKET = 'triage.ticket';
const TRIAGER = 'UTRIAGER1';
/** A date picker day two months out: inside the 90-day limit on accepted risks, and its expiry is the next midnight whenever the test runs. */
const ACCEPTED_THROUGH = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
const EXPIRES_AT = new Date(Date.parse(`${ACCEPTED_THROUGH}T00:00:00.000Z`) + 86_400_000).toISOString();
/** Where the worker is told the Temporal UI is (TEMPORAL_UI_URL): summaries link their run there. */
const TEMPORAL_UI = 'http://temporal-ui.example.test:8233';

interface Block { type: string; block_id?: string; text?: { text: string }; elements?: { type: string; action_id?: string; value?: string; text?: string | { text: string } }[] }

/**
 * README: "DAST summaries list new findings with Accept risk (reason + expiry), False
 * positive and Ticket link; later scans honor those decisions." Two real Wapiti scans of
 * the demo app with Slack configured; the triage goes from the first summary's buttons
 * through the real Bolt app into the store, and the second scan's baseline comparison
 * (activities/findings/compare-scan.ts) reads it.
 */
describe('DAST summary in Slack, and triage honored on the next scan', () => {
  const docker = new Docker();
  const targetId = uniqueTargetId('triage-e2e');
  const channel = '#dast-triage';
  const lockedTargetId = uniqueTargetId('locked-e2e');
  let fresh: FreshDatabase;
  let app: VulnerableApp;
  let api: SlackApiServer;
  let client: Client;
  let bolt: RunningSlackApp;
  let config: Config;

  beforeAll(async () => {
    [fresh, app, api, client] = await Promise.all([freshDatabase(), startVulnerableApp(), startSlackApiServer({ botToken: BOT_TOKEN, channels: [{ id: 'C0DASTTRIAGE', name: 'dast-triage', member: true }, { id: 'C0LOCKED', name: 'locked-room', member: false }] }), devServerClient()]);
    await migrate(fresh.db);
    const dir = mkdtempSync(join(tmpdir(), 'secops-triage-'));
    // SQL injection FAILs the scan: once it is marked a false positive, the verdict must drop to WARN.
    // The modules are named so that the demo app's other critical flaws (command execution, file disclosure) stay out of this story.
    writeFileSync(join(dir, 'rules.tsv'), 'sql-injection\tFAIL\tSQL Injection\n');
    config = parseConfig(`
version: 1
artifactsDir: ${dir}/artifacts
targets:
  - { id: ${targetId}, url: "${app.url}", engine: wapiti, scope: { hosts: [127.0.0.1] }, rulesFile: ${dir}/rules.tsv, channel: "${channel}", maxScanMinutes: 5, owners: [${TRIAGER}], wapitiModules: [xss, sql, redirect, http_headers, cookieflags] }
  - { id: ${lockedTargetId}, url: "${app.url}search", engine: wapiti, scope: { hosts: [127.0.0.1] }, wapitiModules: [redirect], channel: "#locked-room", maxScanMinutes: 5 }
`);
    bolt = await startSlackApp({ api, config, client, db: fresh.db });
  });
  afterAll(async () => {
    await bolt?.stop();
    await client?.connection.close();
    await api?.close();
    await app?.stop();
    await fresh?.drop();
  });

  const start = (workers: RunningWorkers, workflowId: string, target = config.targets[0]!) =>
    workers.client.workflow.start(dastScan, { taskQueue: workers.taskQueues.control, workflowId, args: [dastScanInput({ ...config, taskQueues: workers.taskQueues }, target, 'cli:e2e')] });
  const scan = async (workers: RunningWorkers, workflowId: string) => (await (await start(workers, workflowId)).result()) as DastScanResult;
  const slackWorkers = () => startWorkers(createActivities({ docker, store: { db: fresh.db, url: fresh.url }, slack: new WebClient(BOT_TOKEN, { slackApiUrl: api.url }), slackChannel: '#secops-default', runUrl: (workflowId) => runUrl(parseEnvironment({ TEMPORAL_UI_URL: TEMPORAL_UI }), workflowId) }));
  const reportOf = (result: DastScanResult) => JSON.parse(readFileSync(result.reports.json, 'utf8')) as ScanReport;
  const summaryOf = (scanResult: DastScanResult) =>
    api.waitForCall('chat.postMessage', (c) => c.args.channel === channel && String(c.args.text).includes(`DAST ${targetId}:`) && contextTexts(blocksOf(c)).some((t) => t.includes(scanResult.reports.html)), 10_000);
  const findingAt = (report: ScanReport, ruleId: string, path: string, parameter: string) => {
    const found = report.findings.find((f) => f.ruleId === ruleId && new URL(f.url).pathname === path && f.parameter === parameter);
    if (!found) throw new Error(`no ${ruleId} at ${path} [${parameter}] in ${JSON.stringify(report.findings.map((f) => [f.ruleId, f.url, f.parameter]))}`);
    return found;
  };

  it('posts the summary with triage buttons; Accept risk and False positive from it suppress those findings on the next scan, the rest persist', { timeout: 360_000 }, async () => {
    const workers = await slackWorkers();
    await workers.during(async () => {
      // --- first scan: everything is new, and the summary lists it with buttons ---------
      const first = await scan(workers, `dast:${targetId}:first`);
      const firstReport = reportOf(first);
      const sqli = findingAt(firstReport, 'sql-injection', '/product', 'id');
      const xss = findingAt(firstReport, 'cross-site-scripting', '/search', 'q');
      const redirect = findingAt(firstReport, 'open-redirect', '/redirect', 'url');
      const total = firstReport.findings.length;
      expect(first.diff).toEqual({ new: total, fixed: 0, persisting: 0, suppressed: 0, notRetested: 0 });
      expect(first.verdict).toBe('fail');

      const summary = await summaryOf(first);
      expect(summary.problems).toEqual([]);
      expect(summary.args.text).toBe(`:x: FAIL DAST ${targetId}: ${total} new, 0 fixed, 0 persisting, 0 suppressed`);
      const blocks = blocksOf(summary);
      expect(blocks[0]).toMatchObject({ type: 'header', text: { text: `:x: FAIL — DAST ${targetId}` } });
      expect(contextTexts(blocks)).toContain(countsLine(tally(firstReport.findings)));
      expect(contextTexts(blocks)).toContain(`Since the last scan: ${total} new, 0 fixed, 0 persisting, 0 suppressed`);
      expect(blocks.some((b) => b.type === 'section' && b.text?.text === `*New since the last scan (${total})*`)).toBe(true);
      expect(contextTexts(blocks).at(-1)).toContain(`<${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(first.scanId)}|Temporal run>`);

      // Each new finding (up to ten) is a section naming it, then its three buttons carrying target and fingerprint.
      const listed = listedFindings(blocks);
      const expectedListed = firstReport.findings.filter((f) => f.status === 'new').slice(0, 10);
      expect(listed.map((l) => l.fingerprint)).toEqual(expectedListed.map((f) => f.fingerprint));
      for (const [index, entry] of listed.entries()) {
        const finding = expectedListed[index]!;
        expect(entry.section).toContain(finding.title);
        expect(entry.section).toContain(finding.url);
        expect(entry.section.includes(` parameter \`${finding.parameter ?? ''}\``)).toBe(finding.parameter !== undefined);
        expect(entry.actions).toEqual([ACCEPT_RISK, FALSE_POSITIVE, TICKET]);
        expect(entry.targetIds).toEqual([targetId, targetId, targetId]);
      }
      expect(contextTexts(blocks).some((t) => t.startsWith('… and '))).toBe(total > 10);

      // --- triage, clicked on that very message through the Bolt app -----------------
      const message = { channel: String(summary.response.channel), messageTs: String(summary.response.ts) };
      const valueOf = (finding: ReportedFinding, actionId: string) => listed.find((l) => l.fingerprint === finding.fingerprint)?.values[actionId] ?? fail(`${finding.ruleId} not listed with ${actionId}`);

      const falsePositive = await postToSlackApp(bolt.url, buttonClick({ actionId: FALSE_POSITIVE, value: valueOf(sqli, FALSE_POSITIVE), user: TRIAGER, triggerId: api.triggerId(), ...message }));
      expect(falsePositive.status).toBe(200);
      const confirmed = await api.waitForCall('chat.postEphemeral', (c) => c.args.user === TRIAGER && String(c.args.text).includes('false positive'), 10_000);
      expect(confirmed.problems).toEqual([]);

      const acceptClick = await postToSlackApp(bolt.url, buttonClick({ actionId: ACCEPT_RISK, value: valueOf(xss, ACCEPT_RISK), user: TRIAGER, triggerId: api.triggerId(), ...message }));
      expect(acceptClick.status).toBe(200);
      const modal = await api.waitForCall('views.open', (c) => (c.args.view as { private_metadata?: string }).private_metadata === valueOf(xss, ACCEPT_RISK), 10_000);
      expect(modal.problems).toEqual([]);
      const view = modal.args.view as { callback_id: string; private_metadata: string };
      const submitted = await postToSlackApp(bolt.url, viewSubmission({
        callbackId: view.callback_id, metadata: view.private_metadata, user: TRIAGER, triggerId: api.triggerId(),
        values: { reason: 'output encoded by the WAF in front of it' }, dates: { expires: ACCEPTED_THROUGH },
      }));
      expect(submitted.status).toBe(200);
      expect(await submitted.text()).toBe('');

      // An acceptance that has run out, stored the way the Slack handlers store one: it must not suppress.
      await recordTriage(fresh.db, { targetId, fingerprint: redirect.fingerprint, kind: 'accepted-risk', reason: 'until the 2019 migration', expiresAt: '2020-01-01T00:00:00.000Z', decidedBy: 'slack:UFORMER1' });
      expect((await triageDecisions(fresh.db, targetId)).map((d) => [d.fingerprint, d.kind, d.expiresAt])).toEqual([
        [sqli.fingerprint, 'false-positive', undefined],
        [xss.fingerprint, 'accepted-risk', EXPIRES_AT],
        [redirect.fingerprint, 'accepted-risk', '2020-01-01T00:00:00.000Z'],
      ]);

      // --- second scan: the two decisions hold, the expired one and the rest persist ---
      const second = await scan(workers, `dast:${targetId}:second`);
      const secondReport = reportOf(second);
      expect(secondReport.findings.map((f) => f.fingerprint).sort()).toEqual(firstReport.findings.map((f) => f.fingerprint).sort());
      expect(second.diff).toEqual({ new: 0, fixed: 0, persisting: total - 2, suppressed: 2, notRetested: 0 });
      const byFingerprint = new Map(secondReport.findings.map((f) => [f.fingerprint, f]));
      expect(byFingerprint.get(sqli.fingerprint)).toMatchObject({
        status: 'suppressed', suppression: { kind: 'false-positive', reason: `marked false positive in Slack by <@${TRIAGER}>`, decidedBy: `slack:${TRIAGER}` },
      });
      expect(byFingerprint.get(xss.fingerprint)).toMatchObject({
        status: 'suppressed', suppression: { kind: 'accepted-risk', reason: 'output encoded by the WAF in front of it', decidedBy: `slack:${TRIAGER}`, expiresAt: EXPIRES_AT },
      });
      expect(byFingerprint.get(redirect.fingerprint)?.status).toBe('persisting');
      expect(byFingerprint.get(redirect.fingerprint)?.suppression).toBeUndefined();
      expect(secondReport.findings.filter((f) => f.status === 'persisting').map((f) => f.fingerprint).sort())
        .toEqual(firstReport.findings.map((f) => f.fingerprint).filter((f) => f !== sqli.fingerprint && f !== xss.fingerprint).sort());
      // Suppressed findings leave the counts and the verdict: without the FAILing SQL injection, WARN.
      const expectedCounts = tally(firstReport.findings.filter((f) => f !== sqli && f !== xss));
      expect(second.counts).toEqual(expectedCounts);
      expect(second.verdict).toBe('warn');
      const stored = await fresh.db.query(`SELECT status, verdict, counts FROM scans WHERE id = $1`, [second.scanId]);
      expect(stored.rows).toEqual([{ status: 'completed', verdict: 'warn', counts: expectedCounts }]);

      const sarif = JSON.parse(readFileSync(second.reports.sarif, 'utf8')) as { runs: { results: { partialFingerprints: Record<string, string>; suppressions?: { justification: string }[] }[] }[] };
      const suppressedInSarif = sarif.runs[0]!.results.filter((r) => r.suppressions !== undefined);
      expect(suppressedInSarif.map((r) => r.suppressions![0]!.justification).sort()).toEqual([
        `Accepted risk: output encoded by the WAF in front of it (decided by slack:UTRIAGER1, expires ${EXPIRES_AT})`,
        'False positive: marked false positive in Slack by <@UTRIAGER1> (decided by slack:UTRIAGER1)',
      ]);

      const secondSummary = await summaryOf(second);
      expect(secondSummary.problems).toEqual([]);
      expect(secondSummary.args.text).toBe(`:warning: WARN DAST ${targetId}: 0 new, 0 fixed, ${total - 2} persisting, 2 suppressed`);
      const secondBlocks = blocksOf(secondSummary);
      expect(contextTexts(secondBlocks)).toContain(countsLine(expectedCounts));
      expect(secondBlocks.some((b) => b.type === 'section' && b.text?.text === 'No new findings since the last scan.')).toBe(true);
      expect(secondBlocks.filter((b) => b.type === 'actions')).toEqual([]);
      // Everything went to the target's channel, none to the default one.
      expect(api.callsTo('chat.postMessage').filter((c) => c.args.channel !== channel)).toEqual([]);
    });
  });

  it('fails the run at once, saying what to fix, when the bot is not in the target\'s channel; the scan\'s results stand', { timeout: 180_000 }, async () => {
    const workers = await slackWorkers();
    const workflowId = `dast:${lockedTargetId}:1`;
    const error = await workers.during(async () => (await start(workers, workflowId, config.targets[1]!)).result().catch((e: unknown) => e));

    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure | undefined;
    expect(cause).toMatchObject({ type: 'SlackRefused', message: `Slack refused the DAST summary of ${lockedTargetId} in #locked-room: not_in_channel — invite the app to the channel (/invite @secops), or name a channel it is in` });
    // One refusal, not a retry loop against an answer that cannot change.
    expect(api.callsTo('chat.postMessage').filter((c) => c.args.channel === '#locked-room').map((c) => c.response.error)).toEqual(['not_in_channel']);
    // The scan itself finished before the summary: its results are in the store for the next one to diff against.
    const { rows } = await fresh.db.query('SELECT status, error FROM scans WHERE id = $1', [workflowId]);
    expect(rows).toEqual([{ status: 'completed', error: null }]);
  });
});

function fail(message: string): never {
  throw new Error(message);
}

function blocksOf(call: RecordedCall): Block[] {
  return (call.args.blocks ?? []) as Block[];
}

function contextTexts(blocks: Block[]): string[] {
  return blocks.filter((b) => b.type === 'context').flatMap((b) => (b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : e.text?.text ?? '')));
}

/** Severity counts recomputed from the report's findings, independently of the product's own tally. */
function tally(findings: ReportedFinding[]): Record<'info' | 'low' | 'medium' | 'high' | 'critical', number> {
  const counts = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

function countsLine(c: Record<'info' | 'low' | 'medium' | 'high' | 'critical', number>): string {
  return `critical *${c.critical}* · high *${c.high}* · medium *${c.medium}* · low *${c.low}* · info *${c.info}*`;
}

/** Each listed finding: its section's text, then the actions block after it (ids, the TriageRef values). */
function listedFindings(blocks: Block[]) {
  return blocks.flatMap((block, index) => {
    if (block.type !== 'actions') return [];
    const buttons = block.elements ?? [];
    const refs = buttons.map((b) => JSON.parse(b.value ?? '{}') as { t?: string; f?: string });
    const fingerprints = new Set(refs.map((r) => r.f));
    if (fingerprints.size !== 1) throw new Error(`the buttons of ${block.block_id} name ${fingerprints.size} findings`);
    return [{
      section: blocks[index - 1]?.text?.text ?? '',
      fingerprint: refs[0]?.f,
      targetIds: refs.map((r) => r.t),
      actions: buttons.map((b) => b.action_id),
      values: Object.fromEntries(buttons.map((b) => [b.action_id, b.value ?? ''])) as Record<string, string>,
    }];
  });
}

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { parseConfig, type Config } from '../../domain/config';
import { dastScanInput, type DastScanResult } from '../../domain/dast';
import type { ScanReport } from '../../domain/scan-report';
import { startVulnerableApp, type VulnerableApp } from '../../demo/vulnerable-app';
import { migrate } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { recordHistory } from '../support/histories';
import { freePort } from '../support/ports';
import { runEntry } from '../support/run-cli';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import { startWorkers, type RunningWorkers } from '../support/workers';
import { dastScan } from '../../workflows/dast-scan';

const BOT_TOKEN = 'test-bot-token-dast-coverage';
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {} };

/**
 * Issue 11, coverage-aware diff, with real Wapiti scans of the demo app: scanned, then its
 * next release scanned at the same address — the XSS in /search really fixed, the product
 * pages gone (no link, 404) — then the address with nothing listening.
 */
describe('coverage-aware diff end to end', () => {
  const target = 'coverage-e2e';
  let fresh: FreshDatabase;
  let api: SlackApiServer;
  let app: VulnerableApp | undefined;
  let port: number;
  let config: Config;
  let dir: string;

  beforeAll(async () => {
    [fresh, api, port] = await Promise.all([freshDatabase(), startSlackApiServer({ botToken: BOT_TOKEN, channels: [{ id: 'C0COVERAGE', name: 'coverage', member: true }] }), freePort()]);
    await migrate(fresh.db);
    dir = mkdtempSync(join(tmpdir(), 'secops-coverage-'));
    config = parseConfig(`
version: 1
artifactsDir: ${dir}/artifacts
targets:
  - { id: ${target}, url: "http://127.0.0.1:${port}/", engine: wapiti, scope: { hosts: [127.0.0.1] }, maxScanMinutes: 5, channel: "#coverage" }
`);
  });
  afterAll(async () => {
    await app?.stop();
    await api?.close();
    await fresh?.drop();
  });

  const workers = () => startWorkers(createActivities({
    docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: new WebClient(BOT_TOKEN, { slackApiUrl: api.url, retryConfig: { retries: 0 }, logger: quiet }),
  }));
  const start = (running: RunningWorkers, workflowId: string) =>
    running.client.workflow.start(dastScan, { taskQueue: running.taskQueues.control, workflowId, args: [dastScanInput({ ...config, taskQueues: running.taskQueues }, config.targets[0]!, 'cli:e2e')] });
  const reportOf = (result: DastScanResult) => JSON.parse(readFileSync(result.reports.json, 'utf8')) as ScanReport;
  const serve = async (release: 'current' | 'next') => {
    await app?.stop();
    app = await startVulnerableApp({ port, release });
  };
  const findings = async () => (await fresh.db.query(`SELECT fingerprint, status, first_seen_at, last_seen_scan, not_retested_scan FROM findings WHERE target_id = $1 ORDER BY fingerprint`, [target])).rows;
  const at = (report: ScanReport, ruleId: string, path: string) => {
    const found = report.findings.find((f) => f.ruleId === ruleId && new URL(f.url).pathname === path);
    if (!found) throw new Error(`no ${ruleId} at ${path} in ${JSON.stringify(report.findings.map((f) => [f.ruleId, f.url, f.parameter]))}`);
    return found;
  };

  it('calls the really fixed XSS fixed and the SQL injection behind a removed route not re-tested, kept open', { timeout: 120_000 }, async () => {
    const running = await workers();
    const { first, next } = await running.during(async () => {
      await serve('current');
      const first = (await (await start(running, `dast:${target}:first`)).result()) as DastScanResult;
      await serve('next');
      const next = (await (await start(running, `dast:${target}:next-release`)).result()) as DastScanResult;
      await recordHistory(running.client, `dast:${target}:next-release`);
      return { first, next };
    });
    const before = reportOf(first);
    const after = reportOf(next);
    const xss = at(before, 'cross-site-scripting', '/search');
    const sqli = at(before, 'sql-injection', '/product');

    expect(before.scanQuality).toMatchObject({ targetAnswered: true, requestsFailed: 0, source: 'wapiti -v 1 log + report' });
    expect(before.scanQuality?.modulesFinished).toEqual(expect.arrayContaining(['xss', 'sql']));
    expect(before.scanner).toEqual({ image: config.scanners.images.wapiti, version: '3.0.4' });

    expect(after.findings.map((f) => f.fingerprint)).not.toContain(xss.fingerprint);
    expect(after.fixed.map((f) => f.fingerprint)).toContain(xss.fingerprint);
    expect(after.notRetested.find((f) => f.fingerprint === sqli.fingerprint)).toMatchObject({ ruleId: 'sql-injection', reason: `http://127.0.0.1:${port}/product was not reached` });
    expect(after.fixed.map((f) => f.fingerprint)).not.toContain(sqli.fingerprint);
    expect(next.diff.notRetested).toBe(after.notRetested.length);
    expect(next.diff.fixed).toBe(after.fixed.length);
    // Still open, so still failing the gate: a route that stopped answering lets no known flaw through.
    expect(next.verdict).toBe('fail');

    const rows = new Map((await findings()).map((r) => [r.fingerprint, r]));
    expect(rows.get(xss.fingerprint)).toMatchObject({ status: 'fixed', not_retested_scan: null });
    expect(rows.get(sqli.fingerprint)).toMatchObject({ status: 'open', last_seen_scan: `dast:${target}:first`, not_retested_scan: `dast:${target}:next-release` });
    expect((rows.get(sqli.fingerprint)!.first_seen_at as Date).toISOString()).toBe(before.finishedAt);

    const summary = api.callsTo('chat.postMessage').find((c) => String(c.args.text).includes(`DAST ${target}:`) && String(c.args.text).includes('not re-tested'));
    expect(summary?.problems).toEqual([]);
    expect(JSON.stringify(summary?.args.blocks)).toContain('was not reached');
  });

  it('ends a scan of an unreachable target as an error: exit 3, Slack says why, no finding changes state', { timeout: 120_000 }, async () => {
    await app?.stop();
    app = undefined;
    const unchanged = await findings();
    const running = await workers();
    const configPath = join(dir, 'secops.config.yaml');
    writeFileSync(configPath, `version: 1
taskQueues: { control: ${running.taskQueues.control}, scanners: ${running.taskQueues.scanners} }
artifactsDir: ${dir}/artifacts
targets:
  - { id: ${target}, url: "http://127.0.0.1:${port}/", engine: wapiti, scope: { hosts: [127.0.0.1] }, maxScanMinutes: 5 }
`);
    const env = { SECOPS_CONFIG: configPath, SECOPS_USER: 'alice', TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: fresh.url };
    const { cli, error } = await running.during(async () => {
      const error = await (await start(running, `dast:${target}:unreachable`)).result().catch((e: unknown) => e);
      await recordHistory(running.client, `dast:${target}:unreachable`);
      return { error, cli: await runEntry(['secops', 'scan', target], env, 90_000) };
    });

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toMatchObject({ type: 'NothingScanned', nonRetryable: true });
    const reason = `scan of ${target} reached nothing to scan: the target did not answer (0 URLs crawled`;
    expect((error as WorkflowFailedError).cause?.message).toMatch(new RegExp(`^${reason.replace(/[()]/g, '\\$&')}`));

    expect(cli.code).toBe(3);
    expect(cli.stdout).toMatch(/^scan started: dast:coverage-e2e:\S+\n$/);
    expect(cli.stderr).toContain(`failed: ${reason}`);

    expect(await findings()).toEqual(unchanged);
    const { rows: scans } = await fresh.db.query(`SELECT status, error, quality FROM scans WHERE id = $1`, [`dast:${target}:unreachable`]);
    expect(scans).toEqual([{ status: 'failed', error: expect.stringContaining(reason), quality: expect.objectContaining({ targetAnswered: false, urlsCrawled: 0 }) }]);

    const notice = await api.waitForCall('chat.postMessage', (c) => String(c.args.text).startsWith(`:rotating_light: ERROR DAST ${target}:`), 10_000);
    expect(notice.problems).toEqual([]);
    expect(notice.args.channel).toBe('#coverage');
    expect(String(notice.args.text)).toContain('the target did not answer');

    const list = await runEntry(['secops', 'findings', 'list', '--target', target], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^latest scan dast:${target}:next-release \\(.+\\): target answered · [1-9]\\d* URLs crawled`));
    expect(list.stdout).toMatch(/^not re-tested +critical +SQL Injection +http:\/\/127\.0\.0\.1:\d+\/product \[id\]/m);
    expect(list.stdout).toMatch(/^fixed +medium +Cross Site Scripting +http:\/\/127\.0\.0\.1:\d+\/search \[q\]/m);
  });
});

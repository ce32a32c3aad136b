import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { importReport } from '../../client/import-report';
import { parseConfig } from '../../domain/config';
import { readScanReport } from '../../client/read-scan-report';
import { ValidationError } from '../../domain/validation-error';
import { migrate } from '../../store/migrations';
import { getScan, listScans, loadScanFindings } from '../../store/scans';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { runEntry } from '../support/run-cli';
import { uniqueTargetId } from '../support/slack-app-harness';
import { startWorkers } from '../support/workers';

/**
 * A ZAP report produced in CI (several sites, string-typed numbers, systemic alerts) taken in
 * with `secops findings import` and client/import-report.ts: the scan pipeline after the
 * scanner, on real workers and PostgreSQL; a bad report leaves no row and no file.
 */
const CI = join(process.cwd(), 'test/fixtures/zap/ci-baseline-systemic.json');
type ZapJson = { site: { alerts: (Record<string, unknown> & { pluginid: string; instances: Record<string, unknown>[] })[] }[] };

describe('secops findings import', () => {
  let fresh: FreshDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'secops-import-'));
  const artifactsDir = join(dir, 'artifacts');
  // Unique: runs are listed across the whole dev server, which other files share.
  const shop = uniqueTargetId('shop');
  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
  });
  afterAll(() => fresh?.drop());

  const configText = (control: string) => `version: 1
taskQueues: { control: ${control}, scanners: ${control}-scanners }
artifactsDir: ${artifactsDir}
targets:
  - { id: ${shop}, url: "https://shop.example.test/", engine: wapiti, scope: { hosts: [shop.example.test] } }
`;
  const activities = () => createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: undefined });
  const report = (name: string, edit: (zap: ZapJson) => void) => {
    const zap = JSON.parse(readFileSync(CI, 'utf8')) as ZapJson;
    edit(zap);
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(zap));
    return path;
  };
  const alertOf = (zap: ZapJson, site: number, pluginid: string) => zap.site[site]!.alerts.find((a) => a.pluginid === pluginid)!;

  it('imports a CI report as a scan of kind imported, then diffs next week\'s by what that report shows', { timeout: 120_000 }, async () => {
    const workers = await startWorkers(activities(), ['control']);
    const config = parseConfig(configText(workers.taskQueues.control));
    const target = config.targets[0]!;
    // Next week: the systemic CSP alert lists another example URL; the XSS rule raised nothing
    // (so its finding cannot be shown re-tested); HSTS moved from /v1/items to /v1/orders,
    // while another rule's alert shows /v1/items/42 was reached (so that HSTS finding is fixed).
    const nextWeek = report('next-week.json', (zap) => {
      alertOf(zap, 0, '10038').instances = [{ ...alertOf(zap, 0, '10038').instances[0], uri: 'http://127.0.0.1:8080/about' }];
      zap.site[0]!.alerts = zap.site[0]!.alerts.filter((a) => a.pluginid !== '40012');
      const hsts = alertOf(zap, 2, '10035');
      hsts.instances = [{ ...hsts.instances[0], uri: 'https://api.shop.example.test/v1/orders' }];
      zap.site[2]!.alerts.push({ ...hsts, pluginid: '10021', alertRef: '10021', alert: 'X-Content-Type-Options Header Missing', instances: [{ ...hsts.instances[0], uri: 'https://api.shop.example.test/v1/items/42', param: 'x-content-type-options' }] });
    });
    const [first, second] = await workers.during(async () => [
      await importReport(workers.client, config, target, 'zap', CI),
      await importReport(workers.client, config, target, 'zap', nextWeek),
    ]);

    expect(first).toMatchObject({ targetId: shop, verdict: 'fail', findings: 5, diff: { new: 5, persisting: 0, fixed: 0, notRetested: 0 } });
    expect(first.scanId).toMatch(new RegExp(`^import:${shop}:`));
    expect(await getScan(fresh.db, first.scanId)).toMatchObject({ status: 'completed', profile: 'imported', engine: 'zap', verdict: 'fail' });
    const stored = await loadScanFindings(fresh.db, first.scanId);
    expect(stored.filter((f) => f.systemic).map((f) => `${f.ruleId} ${f.url} ${f.instances.length}`).sort()).toEqual(['10020 https://shop.example.test/* 3', '10038 http://127.0.0.1:8080/* 4']);
    for (const path of Object.values(first.reports)) expect(existsSync(path)).toBe(true);
    const firstReport = await readScanReport(first.reports.json);
    expect(firstReport.target).toMatchObject({ id: shop, engine: 'zap', profile: 'imported' });
    expect(firstReport.scanQuality).toMatchObject({ targetAnswered: true, modulesRun: ['10010', '10020', '10035', '10038', '40012'] });

    const secondReport = await readScanReport(second.reports.json);
    const status = (ruleId: string) => secondReport.findings.filter((f) => f.ruleId === ruleId).map((f) => `${f.status} ${f.url}`);
    expect(status('10038')).toEqual(['persisting http://127.0.0.1:8080/*']);
    expect(status('10035')).toEqual(['new https://api.shop.example.test/v1/orders']);
    expect(secondReport.fixed.map((f) => `${f.ruleId} ${f.url}`)).toEqual(['10035 https://api.shop.example.test/v1/items/{id}']);
    expect(secondReport.notRetested.map((f) => `${f.ruleId} ${f.reason}`)).toEqual(['40012 rule 40012 did not run']);
    expect(second).toMatchObject({ verdict: 'fail', diff: { new: 2, persisting: 3, fixed: 1, notRetested: 1 } });
  });

  it('imports a Wapiti report the same way, one finding per weakness', { timeout: 120_000 }, async () => {
    const workers = await startWorkers(activities(), ['control']);
    // The report's own site: the demo app as it ran when the fixture was recorded.
    const config = parseConfig(configText(workers.taskQueues.control).replace(`id: ${shop}, url: "https://shop.example.test/"`, `id: ${shop}-w, url: "http://127.0.0.1:39553/"`).replace('hosts: [shop.example.test]', 'hosts: [127.0.0.1]'));
    const wapiti = join(process.cwd(), 'test/fixtures/wapiti/real-demo-app.json');
    const result = await workers.during(() => importReport(workers.client, config, config.targets[0]!, 'wapiti', wapiti));
    const stored = await loadScanFindings(fresh.db, result.scanId);
    expect(await getScan(fresh.db, result.scanId)).toMatchObject({ status: 'completed', profile: 'imported', engine: 'wapiti' });
    expect(stored.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['sql-injection', 'cross-site-scripting', 'open-redirect']));
    // The header split (domain/weakness-split.ts) ran on the way in: one finding per missing header.
    expect(stored.filter((f) => f.ruleId === 'http-secure-headers').every((f) => f.parameter !== undefined)).toBe(true);
    expect(result.findings).toBe(stored.length);
    expect((await readScanReport(result.reports.json)).scanQuality?.modulesRun).toEqual(expect.arrayContaining(['sql', 'redirect']));
  });

  it('refuses a bad report naming the problem, and stores nothing: no scan row, no file', { timeout: 120_000 }, async () => {
    const workers = await startWorkers(activities(), ['control']);
    const config = parseConfig(configText(workers.taskQueues.control));
    const target = config.targets[0]!;
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, readFileSync(CI, 'utf8').slice(0, 3000));
    const badRisk = report('bad-risk.json', (zap) => Object.assign(alertOf(zap, 1, '10010'), { riskcode: 7 }));
    // A report of another site: every instance moved to other.example.test.
    const elsewhere = report('elsewhere.json', (zap) => {
      for (const site of zap.site) for (const alert of site.alerts) for (const instance of alert.instances) instance.uri = String(instance.uri).replace(/^https?:\/\/[^/]+/, 'https://other.example.test');
    });
    const scansBefore = await listScans(fresh.db, shop, 100);
    const filesBefore = existsSync(join(artifactsDir, shop)) ? readdirSync(join(artifactsDir, shop)) : [];
    const [cut, risk, other] = await workers.during(() => Promise.all([
      importReport(workers.client, config, target, 'zap', truncated).catch((e: unknown) => e),
      importReport(workers.client, config, target, 'zap', badRisk).catch((e: unknown) => e),
      importReport(workers.client, config, target, 'zap', elsewhere).catch((e: unknown) => e),
    ]));
    expect(cut).toBeInstanceOf(ValidationError);
    expect((cut as Error).message).toMatch(new RegExp(`^secops findings import is invalid:\\n  - FILE: ${truncated}: truncated or malformed JSON at position \\d+$`));
    expect((risk as Error).message).toBe(`secops findings import is invalid:\n  - FILE: ${badRisk}: not a ZAP JSON report: site[1].alerts[1].riskcode: expected one of "0","1","2","3"`);
    expect((other as Error).message).toBe(`secops findings import is invalid:\n  - FILE: ${elsewhere}: no finding of this report is at https://shop.example.test, the target's site; it reports on https://other.example.test`);
    expect(await listScans(fresh.db, shop, 100)).toEqual(scansBefore);
    expect(existsSync(join(artifactsDir, shop)) ? readdirSync(join(artifactsDir, shop)) : []).toEqual(filesBefore);
  });

  it('runs from the command line: the findings table and exit 1 on FAIL; 2 for an unknown target, engine or file', { timeout: 120_000 }, async () => {
    const workers = await startWorkers(activities(), ['control']);
    const configPath = join(dir, 'secops.config.yaml');
    writeFileSync(configPath, configText(workers.taskQueues.control));
    const env = { SECOPS_CONFIG: configPath, SECOPS_USER: 'alice', TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: fresh.url };
    const [imported, unknown, engine, missing] = await workers.during(() => Promise.all([
      runEntry(['secops', 'findings', 'import', '--target', shop, '--engine', 'zap', CI], env),
      runEntry(['secops', 'findings', 'import', '--target', 'nope', '--engine', 'zap', CI], env),
      runEntry(['secops', 'findings', 'import', '--target', shop, '--engine', 'burp', CI], env),
      runEntry(['secops', 'findings', 'import', '--target', shop, '--engine', 'zap', join(dir, 'never-written.json')], env),
    ]));
    expect(imported.code, imported.stderr).toBe(1);
    expect(imported.stdout).toMatch(new RegExp(`^scan import:${shop}:\\S+: FAIL`, 'm'));
    expect(imported.stdout).toContain('http://127.0.0.1:8080/*');
    expect([unknown.code, unknown.stderr]).toEqual([2, `error: secops findings import is invalid:\n  - target: unknown target "nope" (known: ${shop})\n`]);
    expect([engine.code, engine.stderr]).toEqual([2, 'error: secops findings import is invalid:\n  - --engine: must be zap or wapiti\n']);
    expect([missing.code, missing.stderr]).toEqual([2, `error: secops findings import is invalid:\n  - FILE: ${join(dir, 'never-written.json')} cannot be read (ENOENT)\n`]);
  });
});

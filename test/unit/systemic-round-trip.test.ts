import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompareActivities } from '../../activities/findings/compare-scan';
import { createIngestActivities } from '../../activities/findings/ingest-report';
import { parseZapReport } from '../../activities/findings/zap-report';
import { createReportActivities } from '../../activities/reports/publish-reports';
import { siteWide } from '../../domain/finding';
import { parseScanReport } from '../../domain/scan-report';
import { migrate } from '../../store/migrations';
import { loadScanFindings, recordScanStarted } from '../../store/scans';
import { freshDatabase, type FreshDatabase } from '../support/database';

/**
 * A ZAP systemic alert from report to reports on real PostgreSQL: stored and loaded with its
 * flag and every instance, diffed by a fingerprint that holds when next week's run lists
 * other example URLs, and rendered as such.
 */
const CI = 'test/fixtures/zap/ci-baseline-systemic.json';
const target = { id: 'shop', url: 'https://shop.example.test/', engine: 'zap' as const, profile: 'baseline' };
const dir = mkdtempSync(join(tmpdir(), 'secops-systemic-'));

describe('a systemic alert through the store, the diff and the reports', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
  });
  afterAll(() => fresh?.drop());

  async function scan(id: string, reportPath: string) {
    await recordScanStarted(fresh.db, { id, targetId: target.id, engine: 'zap', profile: target.profile, startedAt: new Date() });
    await createIngestActivities(() => fresh.db).ingestReport({ scanId: id, engine: 'zap', reportPath });
    const reportDir = join(dir, id.replace(/:/g, '_'));
    const compared = await createCompareActivities(() => fresh.db).compareWithBaseline({ scanId: id, target, reportDir });
    const reports = await createReportActivities().publishReports({ scanReportPath: compared.scanReportPath });
    return { reports, report: parseScanReport(readFileSync(reports.json, 'utf8'), reports.json) };
  }

  it('keeps the flag, the site-wide location and every instance in the store', async () => {
    const { report } = await scan('dast:shop:1', CI);
    const stored = await loadScanFindings(fresh.db, 'dast:shop:1');
    const byFingerprint = (list: { fingerprint: string }[]) => [...list].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
    expect(byFingerprint(stored)).toEqual(byFingerprint(parseZapReport(readFileSync(CI, 'utf8'), CI)));
    const systemic = stored.filter((f) => f.systemic);
    expect(systemic.map((f) => [f.ruleId, f.url, f.instances.length])).toEqual(expect.arrayContaining([['10038', 'http://127.0.0.1:8080/*', 4], ['10020', 'https://shop.example.test/*', 3]]));
    expect(systemic).toHaveLength(2);
    expect(report.findings.filter((f) => f.systemic).map((f) => [f.ruleId, f.status]).sort()).toEqual([['10020', 'new'], ['10038', 'new']]);
  });

  it('finds it again next week from other example URLs, and says "systemic" in the Markdown and HTML reports', async () => {
    const nextWeek = JSON.parse(readFileSync(CI, 'utf8')) as { site: { alerts: { pluginid: string; instances: { uri: string }[] }[] }[] };
    const csp = nextWeek.site[0]!.alerts.find((a) => a.pluginid === '10038')!;
    csp.instances = [{ ...csp.instances[0]!, uri: 'http://127.0.0.1:8080/about' }];
    const path = join(dir, 'next-week.json');
    writeFileSync(path, JSON.stringify(nextWeek));
    const { report, reports } = await scan('dast:shop:2', path);
    const again = report.findings.find((f) => f.ruleId === '10038')!;
    expect(again).toMatchObject({ status: 'persisting', systemic: true, url: siteWide('http://127.0.0.1:8080/about') });
    expect(again.instances.map((i) => i.url)).toEqual(['http://127.0.0.1:8080/about']);
    expect(readFileSync(reports.markdown, 'utf8')).toContain('GET http://127.0.0.1:8080/\\* (systemic: the whole site)');
    expect(readFileSync(reports.html, 'utf8')).toContain('<dd>1 example URL of one systemic issue across the site</dd>');
  });
});

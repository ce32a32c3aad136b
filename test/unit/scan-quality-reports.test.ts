import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatScanResult } from '../../cli/scan-progress';
import type { DastScanResult } from '../../domain/dast';
import type { NotRetestedFinding, ScanQuality, ScanReport } from '../../domain/scan-report';
import { renderHtml } from '../../render/reports/html';
import { renderJson } from '../../render/reports/json';
import { renderMarkdown } from '../../render/reports/markdown';
import { scanErrorMessage, scanSummaryMessage } from '../../render/slack/scan-summary';
import { writeScanReport } from '../../store/scan-report-file';
import { buildScanReport } from '../fixtures/scan-report';
import { slackMessageProblems } from '../support/slack-limits';

const HOSTILE = '<!channel> <script>alert(1)</script> | `x`';
const quality: ScanQuality = {
  targetAnswered: true, urlsCrawled: 7, requestsSent: 1601, requestsFailed: 2,
  modulesRun: ['10021', '10038', '40012', '40018'], modulesFinished: ['10021', '10038', '40012'], durationSeconds: 812.4, source: 'zap script output (-d) + -J report',
};
const notRetested: NotRetestedFinding = {
  fingerprint: 'f'.repeat(64), engine: 'zap', ruleId: '40018', title: `SQL Injection ${HOSTILE}`, severity: 'high', confidence: 'medium',
  url: 'http://127.0.0.1:8080/orders', method: 'GET', parameter: 'id', reason: `rule 40018 did not finish ${HOSTILE}`,
};
const report: ScanReport = buildScanReport({ scanQuality: quality, notRetested: [notRetested], scanner: { image: 'ghcr.io/zaproxy/zaproxy:stable', version: '2.16.1' } });
const legacy: ScanReport = buildScanReport();

describe('scan quality and not re-tested findings in every report', () => {
  it('JSON: carries the figures, the scanner and the not re-tested list as recorded', () => {
    const json = JSON.parse(renderJson(report)) as ScanReport;
    expect(json.scanQuality).toEqual(quality);
    expect(json.scanner).toEqual({ image: 'ghcr.io/zaproxy/zaproxy:stable', version: '2.16.1' });
    expect(json.notRetested).toEqual([notRetested]);
    expect(json.diff.notRetested).toBe(1);
  });

  it('Markdown: a scan quality section, and not re-tested findings apart from fixed ones, with why, escaped', () => {
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('**Since last scan:** new 2 · fixed 1 · persisting 4 · suppressed 1 · not re-tested 1');
    expect(markdown).toContain('### Scan quality\n\n- Target answered: yes\n- URLs crawled: 7\n- Requests: 1601 sent, 2 failed\n- Rules finished: 3 of 4 (not finished: 40018)\n- Duration: 812.4 s');
    expect(markdown).toContain('- Scanner: ghcr.io/zaproxy/zaproxy:stable (version 2.16.1)');
    const at = (text: string) => markdown.indexOf(text);
    expect(at('### Fixed (1)')).toBeLessThan(at('### Not re-tested (still open) (1)'));
    const row = markdown.split('\n').find((line) => line.includes('8080/orders'));
    expect(row).toBe('| high | SQL Injection <!channel> <script>alert(1)</script> \\| \\`x\\` | GET http://127.0.0.1:8080/orders | id | rule 40018 did not finish <!channel> <script>alert(1)</script> \\| \\`x\\` |'.replace(/[<>!]/g, (c) => `\\${c}`));
    expect(renderMarkdown(legacy)).toContain('Not recorded for this scan: no finding it did not see counts as fixed.');
  });

  it('HTML: a scan quality section and a not re-tested section after the fixed one, escaped', () => {
    const html = renderHtml(report);
    expect(html).toContain('<section id="scan-quality">');
    expect(html).toContain('<dt>Rules finished</dt><dd>3 of 4 (not finished: 40018)</dd>');
    expect(html).toContain('<dt>Scanner image</dt><dd><code>ghcr.io/zaproxy/zaproxy:stable</code> version 2.16.1</dd>');
    expect(html.indexOf('id="fixed"')).toBeLessThan(html.indexOf('id="not-retested"'));
    expect(html).toContain('<h2>Not re-tested (1)</h2>');
    expect(html).toContain('rule 40018 did not finish &lt;!channel&gt; &lt;script&gt;');
    expect(html).not.toContain('<script>');
  });

  it('Slack: the summary says what changed, with not re-tested ones named and why, within Slack\'s limits', () => {
    const message = scanSummaryMessage(report, { html: '/r/report.html' });
    expect(slackMessageProblems(message)).toEqual([]);
    expect(message.text).toBe(':x: FAIL DAST shop-staging: 2 new, 1 fixed, 4 persisting, 1 suppressed, 1 not re-tested');
    const all = JSON.stringify(message.blocks);
    expect(all).toContain('Scan quality: target answered · 7 URLs crawled · 1601 requests, 2 failed · 3 of 4 rules finished (not: 40018) · 812.4 s');
    expect(all).toContain('*Not re-tested (1)* — still open: this scan could not show them fixed');
    expect(all).toContain('rule 40018 did not finish &lt;!channel&gt;');
    expect(all).not.toContain('<!channel>');
    expect(JSON.stringify(scanSummaryMessage(legacy, { html: '/r/report.html' }).blocks)).toContain('Scan quality: not recorded');
  });

  it('Slack: a scan that ended as an error says why and that no finding changed', () => {
    const message = scanErrorMessage({ scanId: 'dast:shop:1', target: { id: 'shop', url: 'http://127.0.0.1:8080/', engine: 'wapiti', profile: 'baseline' }, reason: `scan of shop reached nothing to scan: the target did not answer ${HOSTILE}` }, { run: 'http://127.0.0.1:8233/x' });
    expect(slackMessageProblems(message)).toEqual([]);
    expect(message.text).toMatch(/^:rotating_light: ERROR DAST shop: scan of shop reached nothing to scan: the target did not answer &lt;!channel&gt;/);
    const all = JSON.stringify(message.blocks);
    expect(all).toContain('No finding changed');
    expect(all).not.toContain('<!channel>');
  });

  it('CLI: secops scan prints the scan quality, fixed findings and the not re-tested ones with why', async () => {
    const path = await writeScanReport(mkdtempSync(join(tmpdir(), 'secops-quality-')), report);
    const result: DastScanResult = { scanId: report.scanId, targetId: 'shop-staging', verdict: report.verdict, counts: report.counts, diff: report.diff, findings: report.findings.length, reports: { json: path, sarif: 's', markdown: 'm', html: 'h' } };
    const out = await formatScanResult(result);
    expect(out).toMatch(/^scan scan-2025-06-02-shop: FAIL — 2 new, 1 fixed, 4 persisting, 1 suppressed, 1 not re-tested\nscan quality: target answered · 7 URLs crawled/);
    expect(out).toMatch(/^fixed +low +X-Content-Type-Options Header Missing +http:\/\/127\.0\.0\.1:8080\/static\/app\.js$/m);
    expect(out).toMatch(/^not re-tested, still open \(1\):\nseverity +finding +location +why\n/m);
    expect(out).toMatch(/^high +SQL Injection .* +http:\/\/127\.0\.0\.1:8080\/orders \[id\] +rule 40018 did not finish/m);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../render/reports/html';
import { renderJson } from '../../render/reports/json';
import { renderMarkdown } from '../../render/reports/markdown';
import { renderSarif } from '../../render/reports/sarif';
import { writeReports } from '../../activities/reports/write-reports';
import { fingerprint } from '../../domain/fingerprint';
import type { ReportedFinding, ScanReport } from '../../domain/scan-report';
import { buildScanReport } from '../fixtures/scan-report';

interface SarifRule {
  id: string;
  name: string;
  helpUri?: string;
  help: { text: string; markdown: string };
  properties: { tags: string[]; 'security-severity': string };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
  partialFingerprints: Record<string, string>;
  baselineState: string;
  suppressions?: { kind: string; status: string; justification: string }[];
  properties: { status: string; method: string; parameter?: string; reason?: string };
}
interface SarifRun {
  tool: { driver: { name: string; informationUri: string; version?: string; semanticVersion?: string; properties?: { image: string }; rules: SarifRule[] } };
  automationDetails: { id: string };
  invocations: { startTimeUtc: string; endTimeUtc: string; executionSuccessful: boolean }[];
  results: SarifResult[];
  properties: { targetUrl: string; profile: string; verdict: string; diff: Record<string, number>; scanQuality?: Record<string, unknown> };
}

const report = buildScanReport();
// Written out, not imported: GitHub matches alerts across scans by this key, so renaming it
// would reopen every alert, and it validates the log against this schema.
const FINGERPRINT_KEY = 'secopsFingerprint/v1';
const SARIF_2_1_0_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function sarifRun(text = renderSarif(report)): SarifRun {
  const log = JSON.parse(text) as { $schema: string; version: string; runs: SarifRun[] };
  expect(log.$schema).toBe(SARIF_2_1_0_SCHEMA);
  expect(log.version).toBe('2.1.0');
  expect(log.runs).toHaveLength(1);
  return log.runs[0] as SarifRun;
}

function finding(predicate: (f: ReportedFinding) => boolean): ReportedFinding {
  const found = report.findings.find(predicate);
  if (!found) throw new Error('fixture lacks the finding this test needs');
  return found;
}

function fixedFinding() {
  const [gone] = report.fixed;
  if (!gone) throw new Error('fixture lacks a fixed finding');
  return gone;
}

function resultFor(run: SarifRun, f: ReportedFinding): SarifResult {
  const found = run.results.find((r) => r.partialFingerprints[FINGERPRINT_KEY] === f.fingerprint);
  if (!found) throw new Error(`no result for ${f.title}`);
  return found;
}

describe('SARIF report', () => {
  it('names the engine and its version, the run and its times', () => {
    const run = sarifRun(renderSarif(report, { toolVersion: '2.16.1' }));
    expect(run.tool.driver).toMatchObject({ name: 'OWASP ZAP', version: '2.16.1', semanticVersion: '2.16.1' });
    expect(run.automationDetails.id).toBe('dast/shop-staging/scan-2025-06-02-shop');
    expect(run.invocations).toEqual([{ executionSuccessful: true, startTimeUtc: report.startedAt, endTimeUtc: report.finishedAt }]);
    expect(sarifRun(renderSarif(report, { toolVersion: 'D-2025-06-01' })).tool.driver).not.toHaveProperty('semanticVersion');
    expect(sarifRun().tool.driver).not.toHaveProperty('version');
  });

  it('has one rule per ruleId, sorted, each result pointing at its own rule', () => {
    const run = sarifRun();
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(ids).toEqual([...new Set(report.findings.map((f) => f.ruleId))].sort());
    expect(run.results).toHaveLength(report.findings.length);
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
  });

  it('describes rules the way GitHub code scanning reads them', () => {
    const xss = sarifRun().tool.driver.rules.find((r) => r.id === '40012');
    expect(xss).toMatchObject({
      name: 'CrossSiteScriptingReflected',
      helpUri: 'https://owasp.org/www-community/attacks/xss/',
      properties: { tags: ['security', 'external/cwe/cwe-079'], 'security-severity': '8.0' },
    });
    expect(xss?.help.text).toContain('encode all output');
    const severities = Object.fromEntries(sarifRun().tool.driver.rules.map((r) => [r.id, r.properties['security-severity']]));
    expect(severities).toMatchObject({ '40018': '9.5', '10038': '5.5', '90022': '3.0', '10109': '0.0' });
  });

  it('never uses a non-http reference as helpUri', () => {
    const disclosure = sarifRun().tool.driver.rules.find((r) => r.id === '90022');
    expect(disclosure).not.toHaveProperty('helpUri');
    expect(disclosure?.help.text).not.toContain('javascript:');
  });

  it('maps severity to level: critical and high are errors, medium warnings, low and info notes', () => {
    const levels = Object.fromEntries(sarifRun().results.map((r) => [r.ruleId, r.level]));
    expect(levels).toEqual({ '40018': 'error', '40012': 'error', '10038': 'warning', '10202': 'warning', '90022': 'note', '10109': 'note' });
  });

  it('locates each result at its URL and keeps method and parameter', () => {
    const xss = finding((f) => f.ruleId === '40012');
    const result = resultFor(sarifRun(), xss);
    expect(result.locations).toEqual([{ physicalLocation: { artifactLocation: { uri: xss.url } } }]);
    expect(result.properties).toMatchObject({ method: 'GET', parameter: 'q', status: 'new' });
    expect(result.message.text).toBe('Cross Site Scripting (Reflected) at GET http://127.0.0.1:8080/search (parameter "q").');
  });

  it('carries our fingerprint and the baseline state', () => {
    const run = sarifRun();
    expect(run.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]).sort()).toEqual(report.findings.map((f) => f.fingerprint).sort());
    expect(resultFor(run, finding((f) => f.status === 'new')).baselineState).toBe('new');
    expect(resultFor(run, finding((f) => f.status === 'persisting')).baselineState).toBe('unchanged');
    // The accepted risk was first seen a week before this scan: the baseline had it.
    expect(resultFor(run, finding((f) => f.status === 'suppressed')).baselineState).toBe('unchanged');
  });

  it('keeps suppressed findings as results with an external, accepted suppression', () => {
    const run = sarifRun();
    const suppressed = resultFor(run, finding((f) => f.status === 'suppressed'));
    expect(suppressed.suppressions).toEqual([expect.objectContaining({
      kind: 'external',
      status: 'accepted',
      justification: 'Accepted risk: Login form is replaced by SSO in Q3 (decided by alice@example.com, expires 2025-09-30T00:00:00.000Z)',
    })]);
    expect(run.results.filter((r) => r.suppressions !== undefined)).toHaveLength(1);
  });

  it('suppresses findings whose rule the rules file IGNOREs', () => {
    const ignored = { ...finding((f) => f.ruleId === '10109'), action: 'IGNORE' as const };
    const run = sarifRun(renderSarif(buildScanReport({ findings: [ignored] })));
    expect(run.results[0]?.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'Rule set to IGNORE in the rules file.' }]);
  });

  it('renders the same bytes whatever order the findings come in', () => {
    expect(renderSarif({ ...report, findings: [...report.findings].reverse() })).toBe(renderSarif(report));
  });

  it('names Wapiti when Wapiti scanned', () => {
    const wapiti = { ...report, target: { ...report.target, engine: 'wapiti' as const } };
    expect(sarifRun(renderSarif(wapiti)).tool.driver.name).toBe('Wapiti');
  });

  it('takes the tool version from the scanner the scan ran, and names its image', () => {
    const wapiti: ScanReport = { ...report, target: { ...report.target, engine: 'wapiti' }, scanner: { image: 'secops-flow/wapiti:latest', version: '3.0.4' } };
    expect(sarifRun(renderSarif(wapiti, { toolVersion: '9.9.9' })).tool.driver).toMatchObject({
      name: 'Wapiti', informationUri: 'https://wapiti-scanner.github.io/', version: '3.0.4', semanticVersion: '3.0.4', properties: { image: 'secops-flow/wapiti:latest' },
    });
    const unversioned = sarifRun(renderSarif({ ...report, scanner: { image: 'ghcr.io/zaproxy/zaproxy:stable' } })).tool.driver;
    expect(unversioned).toMatchObject({ name: 'OWASP ZAP', informationUri: 'https://www.zaproxy.org/', properties: { image: 'ghcr.io/zaproxy/zaproxy:stable' } });
    expect(unversioned).not.toHaveProperty('version');
  });

  it('puts the scan-quality figures and the diff in the run properties', () => {
    const scanQuality = { targetAnswered: true, urlsCrawled: 7, requestsSent: 2051, requestsFailed: 3, modulesRun: ['xss', 'exec'], modulesFinished: ['exec'], durationSeconds: 1.6, source: 'wapiti report + log' };
    const run = sarifRun(renderSarif({ ...report, scanQuality }));
    expect(run.properties).toEqual({
      targetUrl: report.target.url, profile: 'baseline', verdict: 'fail', diff: report.diff,
      scanQuality: { ...scanQuality, modulesRun: ['exec', 'xss'] },
    });
    expect(sarifRun().properties).not.toHaveProperty('scanQuality');
  });

  it('gives each rule help that says what the weakness is, how to fix it and where to read more', () => {
    const xss = sarifRun().tool.driver.rules.find((r) => r.id === '40012');
    expect(xss?.help.text).toBe([
      'Cross-site Scripting (XSS) is an attack technique that echoes attacker-supplied code into a user\'s browser.', '',
      'Solution: Validate all input and encode all output for the context it lands in.', '',
      'References:', '- https://owasp.org/www-community/attacks/xss/', '- https://cwe.mitre.org/data/definitions/79.html',
    ].join('\n'));
    expect(xss?.help.markdown).toContain('**Solution.** Validate all input');
    expect(xss?.help.markdown).toContain('- <https://cwe.mitre.org/data/definitions/79.html>');
  });

  it('keeps findings not re-tested as open results, with their reason, and a rule for each', () => {
    const gone = { ...fixedFinding(), reason: 'the crawl did not reach /static/app.js' };
    const run = sarifRun(renderSarif(buildScanReport({ notRetested: [gone] })));
    const result = run.results.find((r) => r.partialFingerprints[FINGERPRINT_KEY] === gone.fingerprint);
    expect(result).toMatchObject({
      ruleId: '10021', level: 'note', baselineState: 'unchanged',
      properties: { status: 'not-retested', reason: 'the crawl did not reach /static/app.js', method: 'GET' },
    });
    expect(result?.message.text).toContain('Not re-tested by this scan (the crawl did not reach /static/app.js): still open.');
    expect(run.tool.driver.rules[result?.ruleIndex ?? -1]).toMatchObject({ id: '10021', help: { text: expect.stringContaining('Solution:') } });
    expect(run.results).toHaveLength(report.findings.length + 1);
  });

  it('marks a systemic finding as such: one result for the whole site', () => {
    const csp = { ...finding((f) => f.ruleId === '10038'), systemic: true as const, url: 'http://127.0.0.1:8080/*' };
    const run = sarifRun(renderSarif(buildScanReport({ findings: [csp, finding((f) => f.ruleId === '40012')] })));
    expect(run.results.map((r) => [r.ruleId, (r.properties as { systemic?: boolean }).systemic])).toEqual([['40012', undefined], ['10038', true]]);
  });

  it('fingerprints a weakness the same way in every scan, whatever payloads and evidence it saw', () => {
    const xss = finding((f) => f.ruleId === '40012');
    const rescan = { ...xss, status: 'persisting' as const, evidence: '<svg onload=alert(2)>', instances: [{ url: `${xss.url}?q=%3Csvg%3E`, method: 'GET', parameter: 'q', attack: '<svg onload=alert(2)>' }] };
    const again = sarifRun(renderSarif(buildScanReport({ findings: [rescan] })));
    expect(again.results[0]?.partialFingerprints).toEqual({ [FINGERPRINT_KEY]: resultFor(sarifRun(), xss).partialFingerprints[FINGERPRINT_KEY] });
    expect(again.results[0]?.partialFingerprints[FINGERPRINT_KEY]).toBe(fingerprint('zap', '40012', 'http://127.0.0.1:8080/search', 'q'));
  });
});

describe('Markdown summary', () => {
  const markdown = renderMarkdown(report);

  it('leads with target, verdict, severity counts and the diff', () => {
    const [heading, , target] = markdown.split('\n');
    expect(heading).toBe('## DAST scan of shop-staging: FAIL');
    expect(target).toContain('http://127.0.0.1:8080/');
    expect(markdown).toContain('**Severity:** critical 1 · high 1 · medium 2 · low 1 · info 1');
    expect(markdown).toContain('**Since last scan:** new 2 · fixed 1 · persisting 4 · suppressed 1');
  });

  it('lists new findings, then persisting, then fixed, most severe first', () => {
    const at = (text: string) => markdown.indexOf(text);
    expect(at('### New (2)')).toBeGreaterThan(0);
    expect(at('### New (2)')).toBeLessThan(at('### Persisting (4)'));
    expect(at('### Persisting (4)')).toBeLessThan(at('### Fixed (1)'));
    expect(at('| critical | SQL Injection |')).toBeLessThan(at('| high | Cross Site Scripting (Reflected) |'));
    expect(at('| high | Cross Site Scripting (Reflected) |')).toBeLessThan(at('### Persisting'));
    expect(at('X-Content-Type-Options Header Missing')).toBeGreaterThan(at('### Fixed'));
    expect(markdown).not.toContain('Absence of Anti-CSRF Tokens');
  });

  it('escapes pipes and backticks so a title stays in its cell', () => {
    const row = markdown.split('\n').find((line) => line.includes('Application Error Disclosure'));
    expect(row).toBe('| low | Application Error Disclosure \\| \\`stack trace\\` | GET http://127.0.0.1:8080/api/orders |  |');
    expect(row?.split(/(?<!\\)\|/)).toHaveLength(6);
  });

  it('keeps scanner text from becoming links, HTML or extra rows', () => {
    const hostile = { ...finding((f) => f.status === 'new'), title: '[click](https://evil.example)\n| injected | row |', parameter: '<img src=x>' };
    const text = renderMarkdown(buildScanReport({ findings: [hostile] }));
    expect(text).toContain('\\[click\\](https://evil.example) \\| injected \\| row \\|');
    expect(text).toContain('\\<img src=x\\>');
  });

  it('caps long lists with "… and N more"', () => {
    const base = finding((f) => f.status === 'persisting');
    const many = Array.from({ length: 30 }, (_, i) => ({ ...base, url: `${base.url}page-${String(i).padStart(2, '0')}`, fingerprint: `fp-${i}` }));
    const text = renderMarkdown(buildScanReport({ findings: many }), { maxRows: 5 });
    expect(text.split('\n').filter((line) => line.includes('/page-'))).toHaveLength(5);
    expect(text).toContain('… and 25 more');
  });

  it('says "None." for an empty section', () => {
    expect(renderMarkdown(buildScanReport({ fixed: [] }))).toContain('### Fixed (0)\n\nNone.');
  });
});

describe('HTML report', () => {
  const html = renderHtml(report);

  it('escapes the XSS payload in evidence and carries no script of its own', () => {
    expect(html).toContain('<pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre>');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('onclick="go()"');
    expect(html).toContain('&lt;a href=&quot;#&quot; onclick=&quot;go()&quot;&gt;');
  });

  it('escapes every scanner field, including the ones in attributes', () => {
    const hostile = '"><svg onload=alert(2)>';
    const evil = {
      ...finding((f) => f.status === 'new'),
      title: hostile, url: `http://127.0.0.1:8080/${hostile}`, method: hostile, parameter: hostile,
      description: hostile, solution: hostile, references: [`https://example.com/${hostile}`], ticketUrl: hostile,
    };
    const page = renderHtml(buildScanReport({ findings: [evil], fixed: [evil] }));
    expect(page).not.toContain('<svg');
    expect(page).not.toMatch(/"\s*onload=/);
    expect(page).toContain('&quot;&gt;&lt;svg onload=alert(2)&gt;');
  });

  it('links only http(s) references', () => {
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('<li>javascript:alert(document.domain)</li>');
    expect(html).toContain('<a href="https://owasp.org/www-community/attacks/xss/" rel="noreferrer">');
  });

  it('is self-contained: no external resources, inline CSS only', () => {
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/\bsrc=/i);
    expect(html).toContain('<style>');
    expect(html).toContain("default-src 'none'");
  });

  it('shows the header facts, then new findings before the rest, and fixed ones last', () => {
    expect(html).toContain('<span class="verdict verdict-fail">FAIL</span>');
    const order = ['id="new"', 'id="persisting"', 'id="suppressed"', 'id="fixed"'].map((id) => html.indexOf(id));
    expect(order.every((at) => at > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const newSection = html.slice(order[0], order[1]);
    expect(newSection).toContain('SQL Injection');
    expect(newSection).toContain('Cross Site Scripting (Reflected)');
    expect(newSection).not.toContain('Content Security Policy');
    expect(html.slice(order[3])).toContain('X-Content-Type-Options Header Missing');
  });

  it('shows each finding with CWE link, method, parameter, instance count and suppression', () => {
    expect(html).toContain('<a href="https://cwe.mitre.org/data/definitions/79.html">CWE-79</a>');
    expect(html).toMatch(/<dt>Parameter<\/dt><dd><code>q<\/code><\/dd>.*<dt>Instances<\/dt><dd>2<\/dd>/);
    expect(html).toContain('Accepted risk: Login form is replaced by SSO in Q3 (decided by alice@example.com');
  });
});

/** The same value with every object's keys in reverse insertion order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
}

describe('JSON report', () => {
  it('round-trips to the same ScanReport', () => {
    expect(JSON.parse(renderJson(report))).toEqual(report);
  });

  it('sorts keys at every depth, so equal reports give equal bytes', () => {
    const text = renderJson(report);
    expect(renderJson(reverseKeys(report) as typeof report)).toBe(text);
    expect(text.indexOf('"counts"')).toBeLessThan(text.indexOf('"diff"'));
    expect(text.indexOf('"action"')).toBeLessThan(text.indexOf('"confidence"'));
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe('writeReports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secops-reports-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the four files into a directory it creates and returns absolute paths', async () => {
    const paths = await writeReports(report, join(dir, 'nested', 'scan'));
    expect(Object.values(paths).every((p) => isAbsolute(p))).toBe(true);
    expect(paths).toEqual({
      json: join(dir, 'nested', 'scan', 'report.json'),
      sarif: join(dir, 'nested', 'scan', 'report.sarif'),
      markdown: join(dir, 'nested', 'scan', 'report.md'),
      html: join(dir, 'nested', 'scan', 'report.html'),
    });
    expect(readFileSync(paths.json, 'utf8')).toBe(renderJson(report));
    expect(readFileSync(paths.sarif, 'utf8')).toBe(renderSarif(report));
    expect(readFileSync(paths.markdown, 'utf8')).toBe(renderMarkdown(report));
    expect(readFileSync(paths.html, 'utf8')).toBe(renderHtml(report));
  });
});

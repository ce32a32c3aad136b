import { mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEXT_CAPS, TRUNCATION_MARK } from '../../domain/bounded-text';
import { mergeZapFinding, parseZapReport, parseZapReportFile, streamZapReportFile } from '../../activities/findings/zap-report';
import { DEFAULT_MAX_REPORT_BYTES, ReportParseError } from '../../activities/findings/report-parse-error';
import { compareFindings, type Finding } from '../../domain/finding';
import { fingerprint } from '../../domain/fingerprint';

const FIXTURE = 'test/fixtures/zap/two-sites.json';
const text = readFileSync(FIXTURE, 'utf8');

/** The fixture as an object to bend one field at a time. */
function fixture(): { site: { alerts: Record<string, unknown>[] }[] } {
  return JSON.parse(text);
}

function only(findings: Finding[], ruleId: string, url?: string): Finding {
  const matching = findings.filter((f) => f.ruleId === ruleId && (url === undefined || f.url === url));
  expect(matching).toHaveLength(1);
  return matching[0] as Finding;
}

function parseError(body: string, file = 'report.json'): ReportParseError {
  try {
    parseZapReport(body, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ReportParseError);
    return error as ReportParseError;
  }
  throw new Error('expected the report to be rejected');
}

describe('ZAP traditional JSON report', () => {
  const findings = parseZapReport(text, FIXTURE);

  it('turns every (rule, location, parameter) into one finding, most severe first', () => {
    expect(findings.map((f) => [f.severity, f.ruleId, f.url, f.parameter])).toEqual([
      ['high', '40012', 'http://127.0.0.1:8080/search', 'q'],
      ['medium', '10020', 'http://127.0.0.1:8080/', 'x-frame-options'],
      ['medium', '10020', 'http://127.0.0.1:8080/search', 'x-frame-options'],
      ['medium', '10038', 'https://api.shop.example.test/', undefined],
      ['low', '10010', 'http://127.0.0.1:8080/login', 'session'],
      ['low', '10021', 'http://127.0.0.1:8080/static/app.css', 'x-content-type-options'],
      ['low', '10035', 'https://api.shop.example.test/v1/items/{id}', undefined],
      ['low', '10202', 'https://api.shop.example.test/v1/login', undefined],
      ['info', '10109', 'http://127.0.0.1:8080/', undefined],
    ]);
    expect([...findings].sort(compareFindings)).toEqual(findings);
  });

  it('keeps findings of both sites', () => {
    expect(new Set(findings.map((f) => new URL(f.url).origin))).toEqual(new Set(['http://127.0.0.1:8080', 'https://api.shop.example.test']));
  });

  it('maps risk, confidence, CWE, evidence and attack of an alert', () => {
    const xss = only(findings, '40012');
    expect(xss).toMatchObject({ engine: 'zap', title: 'Cross Site Scripting (Reflected)', severity: 'high', confidence: 'medium', cwe: 79, method: 'GET' });
    expect(xss.evidence).toBe('<scrIpt>alert(1);</scRipt>');
    expect(xss.instances).toEqual([
      {
        url: 'http://127.0.0.1:8080/search?q=%3CscrIpt%3Ealert%281%29%3B%3C%2FscRipt%3E',
        method: 'GET',
        parameter: 'q',
        evidence: '<scrIpt>alert(1);</scRipt>',
        attack: '<scrIpt>alert(1);</scRipt>',
      },
    ]);
    expect(only(findings, '10035').confidence).toBe('high');
    expect(only(findings, '10202').confidence).toBe('low');
  });

  it('reads a cweid of -1 as no CWE', () => {
    const modern = only(findings, '10109');
    expect(modern.cwe).toBeUndefined();
    expect(modern.references).toEqual([]);
    expect(only(findings, '10202').cwe).toBe(352);
  });

  it('turns the HTML of desc and solution into plain text, one line per paragraph', () => {
    const xss = only(findings, '40012');
    expect(xss.description).toBe(
      "Cross-site Scripting (XSS) lets an attacker run script in another user's browser by having the application echo attacker-supplied input into a page.\n" +
        'Reflected XSS returns that input in the immediate response, for example inside a <script> block or an HTML attribute & the browser executes it.',
    );
    expect(xss.solution?.split('\n')).toEqual([
      'Phase: Architecture and Design',
      'Use a vetted library or framework that encodes output for the context it is written to.',
      'Phase: Implementation',
      'Validate every input against an allow list of acceptable values, and encode it on output.',
    ]);
  });

  it('splits reference into one URL each', () => {
    expect(only(findings, '40012').references).toEqual(['https://owasp.org/www-community/attacks/xss/', 'https://cwe.mitre.org/data/definitions/79.html']);
    expect(only(findings, '10021').references).toEqual([
      'https://learn.microsoft.com/en-us/previous-versions/windows/internet-explorer/ie-developer/compatibility/gg622941(v=vs.85)',
      'https://owasp.org/www-community/Security_Headers',
    ]);
  });

  it('splits one alert over two paths into two findings and groups instances of one place', () => {
    const clickjacking = findings.filter((f) => f.ruleId === '10020');
    expect(clickjacking.map((f) => f.instances.length)).toEqual([1, 1]);
    expect(new Set(clickjacking.map((f) => f.fingerprint)).size).toBe(2);

    const sniffing = only(findings, '10021');
    expect(sniffing.instances.map((i) => i.url)).toEqual(['http://127.0.0.1:8080/static/app.css', 'http://127.0.0.1:8080/static/app.css?v=2']);
    expect(sniffing.evidence).toBeUndefined();

    const hsts = only(findings, '10035');
    expect(hsts.instances.map((i) => i.url)).toEqual(['https://api.shop.example.test/v1/items/42', 'https://api.shop.example.test/v1/items/77']);
  });

  it('fingerprints by engine, plugin, location and parameter, never by query or payload', () => {
    expect(only(findings, '40012').fingerprint).toBe(fingerprint('zap', '40012', 'http://127.0.0.1:8080/search?q=another-payload', 'q'));
    expect(parseZapReport(text, FIXTURE).map((f) => f.fingerprint)).toEqual(findings.map((f) => f.fingerprint));
  });

  it('maps every riskcode and confidence code', () => {
    const report = fixture();
    const alerts = report.site[0]?.alerts ?? [];
    const codes = [
      ['0', '0'],
      ['1', '1'],
      ['2', '4'],
      ['3', '3'],
    ];
    codes.forEach(([riskcode, confidence], i) => Object.assign(alerts[i] ?? {}, { riskcode, confidence }));
    const mapped = parseZapReport(JSON.stringify(report), FIXTURE);
    expect(['40012', '10020', '10010', '10021'].map((rule) => [...new Set(mapped.filter((f) => f.ruleId === rule).map((f) => `${f.severity}/${f.confidence}`))])).toEqual([
      ['info/false-positive'],
      ['low/low'],
      ['medium/confirmed'],
      ['high/high'],
    ]);
  });

  it('lets the most severe variant of a plugin speak for a shared place', () => {
    const report = fixture();
    const alerts = report.site[0]?.alerts ?? [];
    const clickjacking = alerts[1] as Record<string, unknown>;
    alerts.push({ ...clickjacking, alertRef: '10020-2', alert: 'Multiple X-Frame-Options Header Entries', riskcode: '3', instances: [(clickjacking.instances as unknown[])[0]] });
    const merged = parseZapReport(JSON.stringify(report), FIXTURE);
    const atRoot = only(merged, '10020', 'http://127.0.0.1:8080/');
    expect(atRoot).toMatchObject({ title: 'Multiple X-Frame-Options Header Entries', severity: 'high' });
    expect(atRoot.instances).toHaveLength(2);
  });

  it('reads the report from a file', async () => {
    expect(await parseZapReportFile(FIXTURE)).toEqual(findings);
  });
});

describe('ZAP report text, made storable', () => {
  const withInstance = (instance: Record<string, unknown>, alert: Record<string, unknown> = {}) => {
    const report = fixture();
    report.site = [{ ...report.site[0]!, alerts: [{ ...report.site[0]!.alerts[0]!, ...alert, instances: [{ uri: 'http://127.0.0.1:8080/search', method: 'GET', param: 'q', ...instance }] }] }];
    return parseZapReport(JSON.stringify(report), 'zap.json');
  };

  it('drops NUL and control characters from evidence and attack (jsonb refuses NUL)', () => {
    const [finding] = withInstance({ evidence: 'a\u0000b\u001b[2Jc', attack: '\u0000<script>' });
    expect(finding).toMatchObject({ evidence: 'ab[2Jc', instances: [{ evidence: 'ab[2Jc', attack: '<script>' }] });
  });

  it(`cuts evidence to ${TEXT_CAPS.evidence} characters and replaces a lone surrogate in the title`, () => {
    const [finding] = withInstance({ evidence: 'x'.repeat(TEXT_CAPS.evidence * 4) }, { alert: 'Broken \ud800 name' });
    expect(finding!.evidence).toBe('x'.repeat(TEXT_CAPS.evidence) + TRUNCATION_MARK(TEXT_CAPS.evidence * 3));
    expect(finding!.title).toBe('Broken \uFFFD name');
  });
});

describe('ZAP report errors', () => {
  it('rejects a truncated report with the position', () => {
    const error = parseError(text.slice(0, Math.floor(text.length / 2)), 'zap.json');
    expect(error.file).toBe('zap.json');
    expect(error.message).toMatch(/^zap\.json: truncated or malformed JSON at position \d+$/);
  });

  it('rejects an empty file', () => {
    expect(parseError('').message).toBe('report.json: truncated or malformed JSON at position 0');
  });

  it('names the place of a wrong value', () => {
    const report = fixture();
    Object.assign(report.site[0]?.alerts[0] ?? {}, { riskcode: '9' });
    const error = parseError(JSON.stringify(report), 'zap.json');
    expect(error.message).toBe('zap.json: not a ZAP JSON report: site[0].alerts[0].riskcode: expected one of "0","1","2","3"');
    expect(error.problem).toBe('not a ZAP JSON report: site[0].alerts[0].riskcode: expected one of "0","1","2","3"');
  });

  it('rejects numbers where ZAP writes strings', () => {
    const report = fixture();
    Object.assign(report.site[1]?.alerts[0] ?? {}, { cweid: 693 });
    expect(parseError(JSON.stringify(report)).problem).toMatch(/^not a ZAP JSON report: site\[1\]\.alerts\[0\]\.cweid: /);
  });

  it('checks every instance with its path', () => {
    const report = fixture();
    const instances = report.site[1]?.alerts[1]?.instances as Record<string, unknown>[];
    delete instances[1]?.uri;
    Object.assign(instances[0] ?? {}, { param: 7 });
    expect(parseError(JSON.stringify(report)).problem).toBe(
      'not a ZAP JSON report: site[1].alerts[1].instances[0].param: expected a string, got 7 (and 1 more problem)',
    );
  });

  it('rejects JSON that is not a ZAP report', () => {
    expect(parseError('{}').problem).toMatch(/^not a ZAP JSON report: site: /);
    expect(parseError('[]').problem).toMatch(/^not a ZAP JSON report: .*object/);
    expect(parseError(readFileSync('test/fixtures/wapiti/handwritten.json', 'utf8')).problem).toMatch(/^not a ZAP JSON report: site: /);
  });

  it('refuses a report over the size cap from its size, before reading it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'secops-zap-size-')), 'report.json');
    writeFileSync(file, text);
    // Sparse: reading 2 GiB (past V8's string limit) would fail differently, and slowly.
    truncateSync(file, 2 * 1024 ** 3);
    const error = await parseZapReportFile(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'ReportTooLarge', message: `${file}: the report is 2048 MiB, over the cap of 256 MiB (SECOPS_MAX_REPORT_MB); raise it if reports this large are expected` });
    const small = await parseZapReportFile(FIXTURE, 10 * 1024).catch((e: unknown) => e);
    const size = statSync(FIXTURE).size;
    expect(small).toMatchObject({ kind: 'ReportTooLarge', message: `${FIXTURE}: the report is ${(size / 1024).toFixed(1)} KiB, over the cap of 10 KiB (SECOPS_MAX_REPORT_MB); raise it if reports this large are expected` });
    expect(await parseZapReportFile(FIXTURE, size)).toEqual(parseZapReport(text, FIXTURE));
  });

  it('rejects a missing file', async () => {
    const error = await parseZapReportFile('test/fixtures/zap/no-such-report.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportParseError);
    expect((error as ReportParseError).message).toBe('test/fixtures/zap/no-such-report.json: cannot read the report (ENOENT)');
  });
});

describe('a ZAP 2.16 report from CI: several sites, every number a string, systemic alerts', () => {
  const CI = 'test/fixtures/zap/ci-baseline-systemic.json';
  const ciText = readFileSync(CI, 'utf8');
  const ci = parseZapReport(ciText, CI);
  /** The CI fixture as an object to bend one field at a time. */
  const ciFixture = (): { site: { alerts: (Record<string, unknown> & { instances: Record<string, unknown>[] })[] }[] } => JSON.parse(ciText);

  it('makes one finding of a systemic alert per site, located at the whole site, with every instance ZAP listed', () => {
    const csp = only(ci, '10038');
    expect(csp).toMatchObject({ systemic: true, url: 'http://127.0.0.1:8080/*', parameter: undefined, severity: 'medium', confidence: 'high', cwe: 693, method: 'GET' });
    expect(csp.instances.map((i) => i.url)).toEqual([
      'http://127.0.0.1:8080/', 'http://127.0.0.1:8080/search?q=shoes', 'http://127.0.0.1:8080/login', 'http://127.0.0.1:8080/static/app.css',
    ]);
    expect(csp.instances.map((i) => i.method)).toEqual(['GET', 'GET', 'POST', 'GET']);
    expect(csp.fingerprint).toBe(fingerprint('zap', '10038', 'http://127.0.0.1:8080/*', undefined));
  });

  it('keeps the parameter every instance of a systemic alert names', () => {
    const clickjacking = only(ci, '10020');
    expect(clickjacking).toMatchObject({ systemic: true, url: 'https://shop.example.test/*', parameter: 'x-frame-options', title: 'Missing Anti-clickjacking Header' });
    expect(clickjacking.instances).toHaveLength(3);
  });

  it('keeps the fingerprint of a systemic alert whatever example URLs a run lists', () => {
    const report = ciFixture();
    const csp = report.site[0]!.alerts[0]!;
    csp.instances = [{ ...csp.instances[0], uri: 'http://127.0.0.1:8080/about?lang=fr' }, { ...csp.instances[0], uri: 'http://127.0.0.1:8080/help' }];
    const nextWeek = only(parseZapReport(JSON.stringify(report), CI), '10038');
    expect(nextWeek.fingerprint).toBe(only(ci, '10038').fingerprint);
    expect(nextWeek.instances.map((i) => i.url)).toEqual(['http://127.0.0.1:8080/about?lang=fr', 'http://127.0.0.1:8080/help']);
  });

  it('reads "systemic": false, a string "true", and no flag at all, and refuses anything else by its place', () => {
    expect(ci.filter((f) => f.systemic).map((f) => f.ruleId).sort()).toEqual(['10020', '10038']);
    expect(ci.filter((f) => !f.systemic).every((f) => !('systemic' in f))).toBe(true);
    const report = ciFixture();
    report.site[0]!.alerts[0]!.systemic = 'true';
    delete report.site[0]!.alerts[1]!.systemic;
    const reread = parseZapReport(JSON.stringify(report), CI);
    expect(only(reread, '10038').systemic).toBe(true);
    expect(only(reread, '40012').systemic).toBeUndefined();
    report.site[2]!.alerts[0]!.systemic = 'yes';
    expect(parseError(JSON.stringify(report)).problem).toBe('not a ZAP JSON report: site[2].alerts[0].systemic: expected true or false');
  });

  it('splits the other alerts of every site by place, reading every string-typed number', () => {
    expect(ci.map((f) => [f.severity, f.confidence, f.ruleId, f.url, f.parameter, f.instances.length])).toEqual([
      ['high', 'medium', '40012', 'http://127.0.0.1:8080/search', 'q', 1],
      ['medium', 'medium', '10020', 'https://shop.example.test/*', 'x-frame-options', 3],
      ['medium', 'high', '10038', 'http://127.0.0.1:8080/*', undefined, 4],
      ['low', 'medium', '10010', 'https://shop.example.test/login', 'session', 2],
      ['low', 'high', '10035', 'https://api.shop.example.test/v1/items/{id}', undefined, 2],
    ]);
    expect(new Set(ci.map((f) => new URL(f.url).origin))).toEqual(new Set(['http://127.0.0.1:8080', 'https://shop.example.test', 'https://api.shop.example.test']));
    expect(only(ci, '10035').cwe).toBe(319);
  });

  it('streams the file in chunks to the same findings, and hands them over alert by alert', async () => {
    expect(await parseZapReportFile(CI)).toEqual(ci);
    const parts: Finding[] = [];
    await streamZapReportFile(CI, DEFAULT_MAX_REPORT_BYTES, (part) => parts.push(part));
    expect(parts.map((f) => f.ruleId)).toEqual(['10038', '40012', '10020', '10010', '10035']);
    expect([...parts].sort(compareFindings)).toEqual(ci);
  });

  it('hands nothing over past a bad instance, and names it at the end', async () => {
    const report = ciFixture();
    report.site[1]!.alerts[1]!.instances[1]!.method = 7;
    const file = join(mkdtempSync(join(tmpdir(), 'secops-zap-stream-')), 'report.json');
    writeFileSync(file, JSON.stringify(report));
    const parts: string[] = [];
    const error = await streamZapReportFile(file, DEFAULT_MAX_REPORT_BYTES, (part) => parts.push(part.ruleId)).catch((e: unknown) => e);
    expect(error).toMatchObject({ problem: 'not a ZAP JSON report: site[1].alerts[1].instances[1].method: expected a string, got 7' });
    expect(parts).toEqual(['10038', '40012', '10020']);
  });

  it('merges the parts of one place from two alerts as the whole report does', () => {
    const [low, high] = [only(ci, '10010'), { ...only(ci, '10010'), title: 'Worse', severity: 'high' as const, instances: [{ url: 'https://shop.example.test/login', method: 'GET' }] }];
    const merged = { ...low, instances: [...low.instances] };
    mergeZapFinding(merged, high);
    expect(merged).toMatchObject({ title: 'Worse', severity: 'high', url: low.url, fingerprint: low.fingerprint });
    expect(merged.instances).toHaveLength(3);
  });
});

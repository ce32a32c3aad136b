import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWapitiReport, parseWapitiReportFile } from '../../activities/findings/wapiti-report';
import { ReportParseError } from '../../activities/findings/report-parse-error';
import { compareFindings, type Finding } from '../../domain/finding';
import { fingerprint } from '../../domain/fingerprint';

const FIXTURE = 'test/fixtures/wapiti/handwritten.json';
const RERUN = 'test/fixtures/wapiti/handwritten-rerun.json';
const text = readFileSync(FIXTURE, 'utf8');
const SITE = 'http://127.0.0.1:8080';

type Entry = Record<string, unknown>;
interface Report {
  vulnerabilities: Record<string, Entry[]>;
  anomalies: Record<string, Entry[]>;
  classifications: Record<string, Record<string, unknown>>;
  infos: Record<string, unknown>;
}

function fixture(): Report {
  return JSON.parse(text);
}

function only(findings: Finding[], ruleId: string, url?: string): Finding {
  const matching = findings.filter((f) => f.ruleId === ruleId && (url === undefined || f.url === url));
  expect(matching).toHaveLength(1);
  return matching[0] as Finding;
}

function parseError(body: string, file = 'wapiti.json'): ReportParseError {
  try {
    parseWapitiReport(body, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ReportParseError);
    return error as ReportParseError;
  }
  throw new Error('expected the report to be rejected');
}

describe('Wapiti JSON report', () => {
  const findings = parseWapitiReport(text, FIXTURE);

  it('turns vulnerabilities, anomalies and additionals into findings, most severe first', () => {
    expect(findings.map((f) => [f.severity, f.ruleId, f.url, f.parameter])).toEqual([
      ['critical', 'sql-injection', `${SITE}/items/{id}`, 'sort'],
      ['medium', 'cross-site-request-forgery', `${SITE}/comment`, undefined],
      ['medium', 'reflected-cross-site-scripting', `${SITE}/comment`, 'body'],
      ['medium', 'reflected-cross-site-scripting', `${SITE}/search`, 'q'],
      ['low', 'clickjacking-protection', `${SITE}/`, undefined],
      ['low', 'content-security-policy-configuration', `${SITE}/`, undefined],
      ['low', 'httponly-flag-cookie', `${SITE}/`, undefined],
      ['low', 'internal-server-error', `${SITE}/items/{id}`, 'sort'],
      ['info', 'fingerprint-web-technology', `${SITE}/`, undefined],
    ]);
    expect([...findings].sort(compareFindings)).toEqual(findings);
  });

  it('maps CWE for known categories only', () => {
    expect(Object.fromEntries(findings.map((f) => [`${f.ruleId} ${f.url}`, f.cwe]))).toEqual({
      [`sql-injection ${SITE}/items/{id}`]: 89,
      [`cross-site-request-forgery ${SITE}/comment`]: 352,
      [`reflected-cross-site-scripting ${SITE}/comment`]: 79,
      [`reflected-cross-site-scripting ${SITE}/search`]: 79,
      [`clickjacking-protection ${SITE}/`]: 1021,
      [`content-security-policy-configuration ${SITE}/`]: 693,
      [`httponly-flag-cookie ${SITE}/`]: 1004,
      [`internal-server-error ${SITE}/items/{id}`]: undefined,
      [`fingerprint-web-technology ${SITE}/`]: undefined,
    });
  });

  it('keeps the level of a vulnerability but caps an anomaly (Wapiti rates a 500 as high) at low', () => {
    expect(only(findings, 'internal-server-error')).toMatchObject({ severity: 'low', confidence: 'low' });
    expect(only(findings, 'sql-injection')).toMatchObject({ severity: 'critical', confidence: 'high' });
  });

  it('describes a finding from its classification and the entry', () => {
    const xss = only(findings, 'reflected-cross-site-scripting', `${SITE}/search`);
    expect(xss).toMatchObject({
      engine: 'wapiti',
      title: 'Reflected Cross Site Scripting',
      method: 'GET',
      evidence: 'XSS vulnerability found via injection in the parameter q',
      solution: 'Validate headers, cookies, query strings, form fields and hidden fields, and encode user-supplied output on the server side.',
    });
    expect(xss.description).toMatch(/^Cross-site scripting \(XSS\) lets/);
    expect(xss.references).toEqual(['https://owasp.org/www-community/attacks/xss/', 'https://cwe.mitre.org/data/definitions/79.html']);
    expect(only(findings, 'httponly-flag-cookie').references).toHaveLength(1);
  });

  it('reads the payload from the query string or the form body', () => {
    expect(only(findings, 'reflected-cross-site-scripting', `${SITE}/search`).instances).toEqual([
      { url: `${SITE}/search`, method: 'GET', parameter: 'q', evidence: 'XSS vulnerability found via injection in the parameter q', attack: "<ScRiPt>alert('wq7m2kz9xa')</sCrIpT>" },
    ]);
    expect(only(findings, 'reflected-cross-site-scripting', `${SITE}/comment`).instances[0]?.attack).toBe('<SvG/oNloAd=alert(/wk0e5tyr3b/)>');
    expect(only(findings, 'cross-site-request-forgery').instances[0]?.attack).toBeUndefined();
  });

  it('drops NUL and control characters from what Wapiti says it saw', () => {
    const report = fixture();
    const entry = report.vulnerabilities['Reflected Cross Site Scripting']![0]!;
    entry.info = 'found\u0000 in q\u0007';
    const xss = only(parseWapitiReport(JSON.stringify(report), 'wapiti.json'), 'reflected-cross-site-scripting', `${SITE}/${String(entry.path).replace(/^\//, '')}`);
    expect(xss.evidence).toBe('found in q');
    expect(xss.instances[0]?.evidence).toBe('found in q');
  });

  it('groups entries of one category at one place into one finding', () => {
    const httpOnly = only(findings, 'httponly-flag-cookie');
    expect(httpOnly.instances.map((i) => i.evidence)).toEqual([
      'HttpOnly flag is not set in the cookie : session',
      'HttpOnly flag is not set in the cookie : prefs',
    ]);
    expect(httpOnly.evidence).toBe('HttpOnly flag is not set in the cookie : session');
  });

  it('fingerprints identically across runs whose XSS payloads carry different random tokens', () => {
    const rerun = parseWapitiReport(readFileSync(RERUN, 'utf8'), RERUN);
    expect(rerun.map((f) => f.fingerprint)).toEqual(findings.map((f) => f.fingerprint));
    const attacks = (list: Finding[]) => list.flatMap((f) => f.instances.map((i) => i.attack ?? ''));
    expect(attacks(rerun)).not.toEqual(attacks(findings));
    expect(only(findings, 'reflected-cross-site-scripting', `${SITE}/search`).fingerprint).toBe(
      fingerprint('wapiti', 'reflected-cross-site-scripting', `${SITE}/search`, 'q'),
    );
  });

  it('reads Wapiti 3.0.x reports: string levels, no referer, module or wstg', () => {
    const report = fixture();
    const entry = report.vulnerabilities['Reflected Cross Site Scripting']?.[0] ?? {};
    delete entry.referer;
    delete entry.module;
    delete entry.wstg;
    report.vulnerabilities = { 'Cross Site Scripting': [{ ...entry, level: '3' }], 'Commands execution': [] };
    report.anomalies = { 'Internal Server Error': [{ ...entry, level: '0' }] };
    const old = parseWapitiReport(JSON.stringify(report), FIXTURE);
    expect(old.map((f) => [f.ruleId, f.severity, f.cwe])).toEqual([
      ['cross-site-scripting', 'high', 79],
      ['fingerprint-web-technology', 'info', undefined],
      ['internal-server-error', 'info', undefined],
    ]);
    expect(old[0]?.description).toBeUndefined();
  });

  it('reads the report from a file', async () => {
    expect(await parseWapitiReportFile(FIXTURE)).toEqual(findings);
  });
});

describe('Wapiti report errors', () => {
  it('rejects a truncated report with the position', () => {
    expect(parseError(text.slice(0, Math.floor(text.length / 2))).message).toMatch(/^wapiti\.json: truncated or malformed JSON at position \d+$/);
  });

  it('names the place of a wrong level', () => {
    const report = fixture();
    Object.assign(report.vulnerabilities['SQL Injection']?.[0] ?? {}, { level: '9' });
    expect(parseError(JSON.stringify(report)).problem).toBe('not a Wapiti JSON report: vulnerabilities.SQL Injection[0].level: expected a level from 0 to 4');
  });

  it('needs an absolute target URL', () => {
    const report = fixture();
    report.infos.target = '127.0.0.1:8080';
    expect(parseError(JSON.stringify(report)).problem).toBe('not a Wapiti JSON report: infos.target: expected an absolute URL');
  });

  it('rejects JSON that is not a Wapiti report', () => {
    expect(parseError('{}').problem).toMatch(/^not a Wapiti JSON report: vulnerabilities: .* \(and 1 more problem\)$/);
    expect(parseError('[]').problem).toMatch(/^not a Wapiti JSON report: .*object/);
    expect(parseError(readFileSync('test/fixtures/zap/two-sites.json', 'utf8')).problem).toMatch(/^not a Wapiti JSON report: vulnerabilities: /);
  });

  it('refuses a report over the size cap before reading it', async () => {
    const error = await parseWapitiReportFile(FIXTURE, 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportParseError);
    expect(error).toMatchObject({ kind: 'ReportTooLarge', problem: `the report is ${(statSync(FIXTURE).size / 1024).toFixed(1)} KiB, over the cap of 1 KiB (SECOPS_MAX_REPORT_MB); raise it if reports this large are expected` });
  });

  it('rejects a missing file', async () => {
    const error = await parseWapitiReportFile('test/fixtures/wapiti/no-such-report.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportParseError);
    expect((error as ReportParseError).file).toBe('test/fixtures/wapiti/no-such-report.json');
    expect((error as ReportParseError).problem).toBe('cannot read the report (ENOENT)');
  });
});

describe('a real Wapiti 3.0.4 report (captured from the e2e scan of the demo app)', () => {
  const findings = parseWapitiReport(readFileSync('test/fixtures/wapiti/real-demo-app.json', 'utf8'), 'real-demo-app.json');
  const at = (path: string) => findings.filter((f) => new URL(f.url).pathname === path);

  it('finds the planted flaws where they are', () => {
    expect(at('/search').map((f) => [f.ruleId, f.parameter, f.cwe])).toContainEqual(['cross-site-scripting', 'q', 79]);
    expect(at('/product').map((f) => [f.ruleId, f.parameter, f.cwe])).toContainEqual(['sql-injection', 'id', 89]);
    expect(at('/redirect').map((f) => [f.ruleId, f.parameter, f.cwe])).toContainEqual(['open-redirect', 'url', 601]);
    expect(findings.filter((f) => f.ruleId === 'http-secure-headers').length).toBeGreaterThan(0);
    expect(findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['httponly-flag-cookie', 'secure-flag-cookie']));
  });

  it('gives every finding a distinct fingerprint and sorts most severe first', () => {
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(findings.length);
    expect([...findings].sort(compareFindings)).toEqual(findings);
  });
});

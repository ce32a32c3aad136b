import { describe, expect, it } from 'vitest';
import { compareWithBaseline } from '../../domain/baseline';
import { modulesReporting, nothingReached, parseScanCoverage, type ScanCoverage } from '../../domain/coverage';
import type { Engine, Finding, Severity } from '../../domain/finding';
import { fingerprint } from '../../domain/fingerprint';
import { parseScanReport, type ScanQuality } from '../../domain/scan-report';
import { parseScanRules } from '../../domain/scan-rules';
import type { TriageDecision } from '../../domain/triage';
import { ValidationError } from '../../domain/validation-error';
import { buildScanReport } from '../fixtures/scan-report';

const ORIGIN = 'http://127.0.0.1:8088';

function finding(ruleId: string, path: string, severity: Severity, parameter?: string, engine: Engine = 'wapiti'): Finding {
  const url = `${ORIGIN}${path}`;
  return {
    fingerprint: fingerprint(engine, ruleId, url, parameter), engine, ruleId, title: ruleId, severity, confidence: 'medium',
    url, method: 'GET', parameter, references: [], instances: [{ url, method: 'GET', parameter }],
  };
}

const xss = finding('cross-site-scripting', '/search', 'medium', 'q');
const sqli = finding('sql-injection', '/product', 'critical', 'id');
const headers = finding('http-secure-headers', '/', 'low', 'X-Frame-Options');
const redirect = finding('open-redirect', '/redirect', 'medium', 'url');
const MODULES = ['http_headers', 'cookieflags', 'xss', 'sql', 'redirect'];

function quality(overrides: Partial<ScanQuality> = {}): ScanQuality {
  return { targetAnswered: true, urlsCrawled: 8, requestsSent: 60, requestsFailed: 0, modulesRun: MODULES, modulesFinished: MODULES, durationSeconds: 2.4, source: 'wapiti -v 1 log + report', ...overrides };
}

/** A scan of the demo app that crawled and attacked all of it, unless told otherwise. */
function coverage(overrides: Partial<ScanQuality> = {}, paths = ['/', '/search', '/product', '/redirect']): ScanCoverage {
  const locations = paths.map((p) => `${ORIGIN}${p}`);
  return { quality: quality(overrides), reached: locations, tested: { xss: locations, sql: locations }, scanner: { image: 'secops-flow/wapiti:latest', version: '3.0.4' } };
}

const base = { triage: [] as TriageDecision[], rules: parseScanRules('', 'rules'), failOn: 'high' as Severity, firstSeen: new Map<string, string>(), now: new Date('2026-11-30T12:00:00Z') };
const diff = (current: Finding[], baseline: Finding[], cov: ScanCoverage | undefined, extra: Partial<Parameters<typeof compareWithBaseline>[0]> = {}) =>
  compareWithBaseline({ ...base, current, baseline: baseline.map(summary), coverage: cov, ...extra });
const ids = (findings: { ruleId: string }[]) => findings.map((f) => f.ruleId);

describe('coverage-aware diff: a finding not seen again is fixed only when this scan re-tested it', () => {
  it('is fixed when the target answered, its module finished and attacked its location', () => {
    const result = diff([sqli, headers, redirect], [xss, sqli, headers, redirect], coverage());
    expect(ids(result.fixed)).toEqual(['cross-site-scripting']);
    expect(result.notRetested).toEqual([]);
    expect(result.diff).toMatchObject({ fixed: 1, notRetested: 0, persisting: 3 });
  });

  it('is not re-tested when its route was not reached: kept apart, with the reason, never counted as fixed', () => {
    // The next release dropped the link to /product: the crawl never got there.
    const result = diff([headers, redirect], [xss, sqli, headers, redirect], coverage({}, ['/', '/search', '/redirect']));
    expect(ids(result.fixed)).toEqual(['cross-site-scripting']);
    expect(result.notRetested).toEqual([{ ...summary(sqli), reason: `${ORIGIN}/product was not reached` }]);
    expect(result.diff).toMatchObject({ fixed: 1, notRetested: 1 });
  });

  it('is not re-tested when its module did not run, or started and did not finish', () => {
    const notRun = diff([], [xss], coverage({ modulesRun: ['http_headers'], modulesFinished: ['http_headers'] }));
    expect(notRun.notRetested.map((f) => f.reason)).toEqual(['module xss, permanentxss did not run']);
    const timedOut = diff([], [xss], coverage({ modulesFinished: MODULES.filter((m) => m !== 'xss') }));
    expect(timedOut.notRetested.map((f) => f.reason)).toEqual(['module xss did not finish']);
    expect(timedOut.fixed).toEqual([]);
  });

  it('is not re-tested when the module that says what it attacks did not attack that location', () => {
    const cov = coverage();
    cov.tested.xss = [`${ORIGIN}/`];
    expect(diff([], [xss], cov).notRetested.map((f) => f.reason)).toEqual([`module xss did not attack ${ORIGIN}/search`]);
  });

  it('relies on the crawl for modules that do not say what they attack', () => {
    const result = diff([], [redirect], coverage({}, ['/', '/redirect']));
    expect(ids(result.fixed)).toEqual(['open-redirect']);
  });

  it('takes a location where this scan found anything as reached', () => {
    const cov = coverage({}, ['/']);
    const elsewhere = finding('internal-server-error', '/redirect', 'low', 'url');
    expect(ids(diff([elsewhere], [redirect], cov).fixed)).toEqual(['open-redirect']);
  });

  it('fixes nothing when the target did not answer or the coverage was not recorded', () => {
    expect(diff([], [xss, sqli], coverage({ targetAnswered: false })).notRetested.map((f) => f.reason)).toEqual(['the target did not answer', 'the target did not answer']);
    const unknown = diff([], [xss, sqli], undefined);
    expect(unknown.fixed).toEqual([]);
    expect(unknown.notRetested.map((f) => f.reason)).toEqual(['this scan recorded no coverage', 'this scan recorded no coverage']);
  });

  it('needs every module finished for a rule it cannot place', () => {
    const novel = finding('some-future-category', '/search', 'low');
    expect(ids(diff([], [novel], coverage()).fixed)).toEqual(['some-future-category']);
    expect(diff([], [novel], coverage({ modulesFinished: ['xss'] })).notRetested.map((f) => f.reason)).toEqual(['its module is not known and not every module finished (http_headers, cookieflags, sql, redirect)']);
  });

  it('keeps a not re-tested finding open in the verdict, unless it is suppressed or IGNOREd', () => {
    const cov = coverage({}, ['/']);
    expect(diff([headers], [sqli, headers], cov).verdict).toBe('fail');
    const triage = [{ targetId: 'demo', fingerprint: sqli.fingerprint, kind: 'false-positive' as const, reason: 'enum', decidedBy: 'U1', decidedAt: '2026-11-01T00:00:00Z' }];
    expect(diff([headers], [sqli, headers], cov, { triage }).verdict).toBe('warn');
    expect(diff([headers], [sqli, headers], cov, { rules: parseScanRules('sql-injection\tIGNORE\tx\n', 'r') }).verdict).toBe('warn');
  });
});

describe('ZAP: the rule itself must have finished, at a location the scan reached', () => {
  const csp = finding('10038', '/search', 'medium', undefined, 'zap');
  const zapCoverage = (finished: string[]): ScanCoverage => ({
    quality: quality({ modulesRun: ['10038', '10021', '40012'], modulesFinished: finished, source: 'zap script output (-d) + -J report' }),
    reached: [`${ORIGIN}/search`], tested: {}, scanner: { image: 'ghcr.io/zaproxy/zaproxy:stable' },
  });

  it('is fixed when rule 10038 finished, not re-tested when it did not', () => {
    expect(ids(diff([], [csp], zapCoverage(['10038', '10021'])).fixed)).toEqual(['10038']);
    expect(diff([], [csp], zapCoverage(['10021'])).notRetested.map((f) => f.reason)).toEqual(['rule 10038 did not finish']);
  });
});

describe('modules that report a finding', () => {
  it('maps Wapiti categories to their modules, a rule that extends a category included', () => {
    expect(modulesReporting({ engine: 'wapiti', ruleId: 'sql-injection' })).toEqual(['sql']);
    expect(modulesReporting({ engine: 'wapiti', ruleId: 'blind-sql-injection' })).toEqual(['blindsql']);
    expect(modulesReporting({ engine: 'wapiti', ruleId: 'http-secure-headers-x-frame-options' })).toEqual(['http_headers']);
    expect(modulesReporting({ engine: 'wapiti', ruleId: 'internal-server-error' })).toContain('xss');
    expect(modulesReporting({ engine: 'wapiti', ruleId: 'nothing-we-know' })).toBeUndefined();
    expect(modulesReporting({ engine: 'zap', ruleId: '40012' })).toEqual(['40012']);
  });
});

describe('a scan that reached nothing', () => {
  it('names why, with the figures', () => {
    expect(nothingReached(quality({ targetAnswered: false, urlsCrawled: 0, requestsSent: 3, requestsFailed: 3 })))
      .toBe('the target did not answer (0 URLs crawled, 3 of 3 requests failed, 5 modules started; from wapiti -v 1 log + report)');
    expect(nothingReached(quality({ urlsCrawled: 0 }))).toMatch(/^the crawl reached no URL \(/);
    expect(nothingReached(quality({ requestsSent: 10, requestsFailed: 10 }))).toMatch(/^every request failed \(/);
    expect(nothingReached(quality({ modulesRun: [], modulesFinished: [] }))).toMatch(/^the scanner stopped before any module attacked \(/);
    expect(nothingReached(quality({ requestsFailed: 9, requestsSent: 10, modulesFinished: [] }))).toBeUndefined();
  });
});

describe('coverage records and reports read back from disk', () => {
  it('refuses a coverage record that is not one, naming the file and the field', () => {
    expect(() => parseScanCoverage('{"quality":{"targetAnswered":"yes"}}', '/r/scan-coverage.json')).toThrow(ValidationError);
    expect(() => parseScanCoverage('{"quality":{"targetAnswered":"yes"}}', '/r/scan-coverage.json')).toThrow(/\/r\/scan-coverage\.json is invalid:[\s\S]*quality\.targetAnswered/);
    expect(() => parseScanCoverage('{', '/r/scan-coverage.json')).toThrow(/not JSON/);
    const good = coverage();
    expect(parseScanCoverage(JSON.stringify(good), 'x')).toEqual(good);
  });

  it('reads a report written before coverage existed as having none, and one with it in full', () => {
    const old: Record<string, unknown> = { ...buildScanReport(), diff: { new: 2, fixed: 1, persisting: 4, suppressed: 1 } };
    delete old.notRetested;
    const oldText = JSON.stringify(old);
    const parsed = parseScanReport(oldText, 'old.json');
    expect(parsed.notRetested).toEqual([]);
    expect(parsed.diff.notRetested).toBe(0);
    expect(parsed.scanQuality).toBeUndefined();
    const current = buildScanReport({ scanQuality: quality(), notRetested: [{ ...summary(sqli), reason: 'x was not reached' }], scanner: { image: 'i', version: '3.0.4' } });
    expect(parseScanReport(JSON.stringify(current), 'new.json')).toEqual(current);
    expect(() => parseScanReport(JSON.stringify({ ...current, scanQuality: { ...quality(), urlsCrawled: -1 } }), 'bad.json')).toThrow(/bad\.json is invalid:[\s\S]*scanQuality\.urlsCrawled/);
  });
});

function summary(f: Finding) {
  const { fingerprint: fp, engine, ruleId, title, severity, confidence, url, method, parameter } = f;
  return { fingerprint: fp, engine, ruleId, title, severity, confidence, url, method, parameter };
}

import { describe, expect, it } from 'vitest';
import { compareWithBaseline } from '../../domain/baseline';
import type { ScanCoverage } from '../../domain/coverage';
import type { Finding, Severity } from '../../domain/finding';
import { fingerprint } from '../../domain/fingerprint';
import { parseScanRules } from '../../domain/scan-rules';
import type { TriageDecision } from '../../domain/triage';

function finding(ruleId: string, path: string, severity: Severity, parameter?: string): Finding {
  const url = `http://127.0.0.1:8088${path}`;
  return {
    fingerprint: fingerprint('wapiti', ruleId, url, parameter), engine: 'wapiti', ruleId, title: ruleId, severity, confidence: 'medium',
    url, method: 'GET', parameter, references: [], instances: [{ url, method: 'GET', parameter }],
  };
}

const xss = finding('cross-site-scripting', '/search', 'medium', 'q');
const sqli = finding('sql-injection', '/product', 'high', 'id');
const headers = finding('content-security-policy', '/', 'low');
const redirect = finding('open-redirect', '/redirect', 'medium', 'url');
const now = new Date('2026-11-23T12:00:00Z');
const base = { triage: [] as TriageDecision[], rules: parseScanRules('', 'rules'), failOn: 'high' as Severity, firstSeen: new Map<string, string>(), now };

const decision = (target: Finding, kind: TriageDecision['kind'], extra: Partial<TriageDecision> = {}): TriageDecision => ({
  targetId: 'demo', fingerprint: target.fingerprint, kind, decidedBy: 'U123', decidedAt: '2026-11-01T00:00:00Z', ...extra,
});

describe('baseline comparison', () => {
  it('treats everything as new on the first scan, most severe first', () => {
    const result = compareWithBaseline({ ...base, current: [headers, xss, sqli], baseline: [] });
    expect(result.findings.map((f) => [f.ruleId, f.status])).toEqual([['sql-injection', 'new'], ['cross-site-scripting', 'new'], ['content-security-policy', 'new']]);
    expect(result.diff).toEqual({ new: 3, persisting: 0, suppressed: 0, fixed: 0, notRetested: 0 });
    expect(result.counts).toEqual({ info: 0, low: 1, medium: 1, high: 1, critical: 0 });
    expect(result.findings.every((f) => f.firstSeen === now.toISOString())).toBe(true);
  });

  it('splits new, persisting and fixed against the last scan, and keeps first-seen dates', () => {
    const firstSeen = new Map([[xss.fingerprint, '2026-11-16T03:00:00.000Z']]);
    // This scan crawled /product and its sql module attacked it to the end: the injection is gone.
    const modules = ['xss', 'sql', 'redirect'];
    const coverage: ScanCoverage = {
      quality: { targetAnswered: true, urlsCrawled: 3, requestsSent: 30, requestsFailed: 0, modulesRun: modules, modulesFinished: modules, durationSeconds: 3, source: 'test' },
      reached: ['http://127.0.0.1:8088/product'], tested: { sql: ['http://127.0.0.1:8088/product'] }, scanner: { image: 'wapiti' },
    };
    const result = compareWithBaseline({ ...base, firstSeen, coverage, current: [xss, redirect], baseline: [xss, sqli] });
    expect(result.findings.map((f) => [f.ruleId, f.status, f.firstSeen])).toEqual([
      ['open-redirect', 'new', now.toISOString()],
      ['cross-site-scripting', 'persisting', '2026-11-16T03:00:00.000Z'],
    ]);
    expect(result.fixed.map((f) => f.ruleId)).toEqual(['sql-injection']);
    expect(result.diff).toEqual({ new: 1, persisting: 1, suppressed: 0, fixed: 1, notRetested: 0 });
  });

  it('honors false positives and unexpired accepted risks, not expired ones; tickets only annotate', () => {
    const triage = [
      decision(sqli, 'false-positive', { reason: 'parameter is an enum' }),
      decision(xss, 'accepted-risk', { reason: 'internal only', expiresAt: '2026-12-01T00:00:00Z' }),
      decision(redirect, 'accepted-risk', { reason: 'old', expiresAt: '2026-11-20T00:00:00Z' }),
      decision(headers, 'ticket', { ticketUrl: 'https://tracker.example.test/SEC-1' }),
    ];
    const result = compareWithBaseline({ ...base, triage, current: [sqli, xss, redirect, headers], baseline: [sqli, xss, redirect, headers] });
    const byRule = Object.fromEntries(result.findings.map((f) => [f.ruleId, f]));
    expect(byRule['sql-injection']).toMatchObject({ status: 'suppressed', suppression: { kind: 'false-positive', reason: 'parameter is an enum', decidedBy: 'U123' } });
    expect(byRule['cross-site-scripting']).toMatchObject({ status: 'suppressed', suppression: { kind: 'accepted-risk', expiresAt: '2026-12-01T00:00:00Z' } });
    expect(byRule['open-redirect']).toMatchObject({ status: 'persisting' });
    expect(byRule['content-security-policy']).toMatchObject({ status: 'persisting', ticketUrl: 'https://tracker.example.test/SEC-1' });
    expect(result.counts).toEqual({ info: 0, low: 1, medium: 1, high: 0, critical: 0 });
    expect(result.diff.suppressed).toBe(2);
  });

  it('reaches the verdict from the rules file after suppression', () => {
    const rules = parseScanRules('# id\taction\tname\nsql-injection\tFAIL\tSQL Injection\ncontent-security-policy\tIGNORE\tCSP\nopen-redirect\tINFO\tredirect\n', 'rules.tsv');
    expect(compareWithBaseline({ ...base, rules, current: [sqli, headers], baseline: [] }).verdict).toBe('fail');
    const suppressed = compareWithBaseline({ ...base, rules, triage: [decision(sqli, 'false-positive')], current: [sqli, headers], baseline: [] });
    expect(suppressed.verdict).toBe('pass');
    expect(suppressed.counts.low).toBe(0); // IGNOREd rules are not counted
    expect(compareWithBaseline({ ...base, rules, current: [redirect], baseline: [] }).verdict).toBe('pass');
    expect(compareWithBaseline({ ...base, rules, current: [xss], baseline: [] }).verdict).toBe('warn'); // unlisted → WARN
  });
});

describe('failOn: the verdict without a rules file', () => {
  const critical = finding('os-command-injection', '/ping', 'critical', 'host');
  const verdictOf = (current: Finding[], failOn: Severity, extra: Partial<Parameters<typeof compareWithBaseline>[0]> = {}) =>
    compareWithBaseline({ ...base, failOn, current, baseline: [], ...extra }).verdict;

  it('FAILs on an open finding at or above the threshold and WARNs below it', () => {
    expect(verdictOf([sqli, headers], 'high')).toBe('fail');
    expect(verdictOf([critical], 'high')).toBe('fail');
    expect(verdictOf([xss, headers], 'high')).toBe('warn');
    expect(verdictOf([sqli], 'critical')).toBe('warn');
    expect(verdictOf([xss], 'medium')).toBe('fail');
    expect(verdictOf([headers], 'medium')).toBe('warn');
    expect(verdictOf([], 'info')).toBe('pass');
  });

  it('reports each finding\'s action, so the reports show why the scan failed', () => {
    const result = compareWithBaseline({ ...base, current: [critical, sqli, xss, headers], baseline: [] });
    expect(result.findings.map((f) => [f.ruleId, f.action])).toEqual([
      ['os-command-injection', 'FAIL'], ['sql-injection', 'FAIL'], ['cross-site-scripting', 'WARN'], ['content-security-policy', 'WARN'],
    ]);
  });

  it('yields to the rules file for the rules it lists, in both directions', () => {
    const rules = parseScanRules('sql-injection\tWARN\tknown, tracked\ncross-site-scripting\tFAIL\tXSS\nos-command-injection\tIGNORE\tlab only\n', 'rules.tsv');
    expect(verdictOf([sqli], 'high', { rules })).toBe('warn');
    expect(verdictOf([xss], 'critical', { rules })).toBe('fail');
    expect(verdictOf([critical], 'high', { rules })).toBe('pass');
    expect(verdictOf([critical, sqli], 'high', { rules })).toBe('warn');
  });

  it('counts persisting findings like new ones, and never suppressed ones', () => {
    expect(compareWithBaseline({ ...base, current: [sqli, headers], baseline: [sqli, headers] }).verdict).toBe('fail');
    const triaged = (kind: 'false-positive' | 'accepted-risk') => [decision(sqli, kind, { reason: 'decided', expiresAt: '2026-12-01T00:00:00Z' })];
    expect(verdictOf([sqli, headers], 'high', { triage: triaged('false-positive') })).toBe('warn');
    expect(verdictOf([sqli], 'high', { triage: triaged('accepted-risk') })).toBe('pass');
    // An acceptance that ran out suppresses nothing: the finding fails the scan again.
    expect(verdictOf([sqli], 'high', { triage: [decision(sqli, 'accepted-risk', { expiresAt: '2026-11-01T00:00:00Z' })] })).toBe('fail');
  });
});

describe('rules file', () => {
  it('lists every bad line with its number', () => {
    expect(() => parseScanRules('10020\tWARN\tok\n10021 FAIL x\n10022\tBLOCK\tx\n10020\tFAIL\tdup\n', 'rules.tsv')).toThrow(
      'rules.tsv is invalid:\n  - line 2: expected id<TAB>IGNORE|INFO|WARN|FAIL<TAB>name\n  - line 3: unknown action "BLOCK" (use IGNORE, INFO, WARN, FAIL)\n  - line 4: rule 10020 is listed twice',
    );
  });
});

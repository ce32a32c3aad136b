import { describe, expect, it } from 'vitest';
import type { Finding } from '../../domain/finding';
import { fingerprint } from '../../domain/fingerprint';
import { splitWeaknesses, weaknessName } from '../../domain/weakness-split';
import { parseWapitiJson, realDemoReport, rootEntry, type WapitiReportJson } from '../support/wapiti-reports';

const ROOT = 'http://127.0.0.1:39553/';
const HEADERS = ['Strict-Transport-Security', 'X-Content-Type-Options', 'X-Frame-Options', 'X-XSS-Protection'];

function withEntries(category: string, infos: string[], report = realDemoReport()): WapitiReportJson {
  report.vulnerabilities[category] = infos.map(rootEntry);
  return report;
}

const ofRule = (findings: Finding[], ruleId: string) => findings.filter((f) => f.ruleId === ruleId);
const fingerprints = (findings: Finding[]) => new Set(findings.map((f) => f.fingerprint));

describe('one finding per weakness (splitWeaknesses)', () => {
  it('makes each missing header of the real demo app report its own finding, named as its parameter', async () => {
    const parsed = await parseWapitiJson(realDemoReport());
    expect(ofRule(parsed, 'http-secure-headers')).toHaveLength(1);
    const split = splitWeaknesses(parsed);
    const headers = ofRule(split, 'http-secure-headers');
    expect(headers.map((f) => f.parameter).sort()).toEqual(HEADERS);
    for (const f of headers) {
      expect(f.fingerprint).toBe(fingerprint('wapiti', 'http-secure-headers', ROOT, f.parameter));
      expect(f.instances).toEqual([expect.objectContaining({ parameter: f.parameter, evidence: `${f.parameter} is not set` })]);
      expect(f.evidence).toBe(`${f.parameter} is not set`);
      expect(f).toMatchObject({ url: ROOT, title: 'HTTP Secure Headers', severity: 'low', cwe: 693 });
    }
    // Everything else passes through as the parser gave it.
    const others = (findings: Finding[]) => findings.filter((f) => !['http-secure-headers', 'httponly-flag-cookie', 'secure-flag-cookie'].includes(f.ruleId));
    expect(others(split)).toEqual(others(parsed));
  });

  it('fixing one of four headers shows one gone and three persisting (the combined finding showed none gone)', async () => {
    const before = await parseWapitiJson(realDemoReport());
    const fixedReport = realDemoReport();
    fixedReport.vulnerabilities['HTTP Secure Headers'] = fixedReport.vulnerabilities['HTTP Secure Headers']!.filter((e) => e.info !== 'X-Frame-Options is not set');
    const after = await parseWapitiJson(fixedReport);

    const [was, now] = [fingerprints(ofRule(splitWeaknesses(before), 'http-secure-headers')), fingerprints(ofRule(splitWeaknesses(after), 'http-secure-headers'))];
    expect([...was].filter((f) => !now.has(f))).toEqual([fingerprint('wapiti', 'http-secure-headers', ROOT, 'X-Frame-Options')]);
    expect([...was].filter((f) => now.has(f))).toHaveLength(3);
    expect(fingerprints(ofRule(after, 'http-secure-headers'))).toEqual(fingerprints(ofRule(before, 'http-secure-headers')));
  });

  it('makes each cookie flag of each cookie its own finding', async () => {
    const report = withEntries('Secure Flag cookie', ['Secure flag is not set in the cookie : shop_session', 'Secure flag is not set in the cookie : cart'],
      withEntries('HttpOnly Flag cookie', ['HttpOnly flag is not set in the cookie : shop_session', 'HttpOnly flag is not set in the cookie : cart']));
    const split = splitWeaknesses(await parseWapitiJson(report));
    for (const ruleId of ['httponly-flag-cookie', 'secure-flag-cookie']) {
      const cookies = ofRule(split, ruleId);
      expect(cookies.map((f) => f.parameter).sort(), ruleId).toEqual(['cart', 'shop_session']);
      expect(new Set(cookies.map((f) => f.fingerprint)).size).toBe(2);
    }
    expect(fingerprints(ofRule(split, 'httponly-flag-cookie'))).not.toEqual(fingerprints(ofRule(split, 'secure-flag-cookie')));
  });

  it('splits weak CSP directives, and leaves "CSP is not set" under the finding\'s own fingerprint', async () => {
    const notSet = await parseWapitiJson(withEntries('Content Security Policy Configuration', ['CSP is not set']));
    expect(ofRule(splitWeaknesses(notSet), 'content-security-policy-configuration')).toEqual(ofRule(notSet, 'content-security-policy-configuration'));

    const weak = await parseWapitiJson(withEntries('Content Security Policy Configuration', ['CSP is not set', 'CSP attribute "script-src" is missing', 'CSP "default-src" value is not safe']));
    const [combined] = ofRule(weak, 'content-security-policy-configuration');
    const parts = ofRule(splitWeaknesses(weak), 'content-security-policy-configuration');
    expect(parts.map((f) => [f.parameter, f.instances.map((i) => i.evidence)])).toEqual([
      [undefined, ['CSP is not set']],
      ['default-src', ['CSP "default-src" value is not safe']],
      ['script-src', ['CSP attribute "script-src" is missing']],
    ]);
    expect(parts[0]?.fingerprint).toBe(combined?.fingerprint);
  });

  it('leaves alone what names nothing, what has a parameter, other engines and multi-line texts', () => {
    const base: Finding = {
      fingerprint: 'f', engine: 'wapiti', ruleId: 'http-secure-headers', title: 'HTTP Secure Headers', severity: 'low', confidence: 'high',
      url: ROOT, method: 'GET', references: [], instances: [{ url: ROOT, method: 'GET', evidence: 'X-Frame-Options is not set' }],
    };
    expect(splitWeaknesses([{ ...base, parameter: 'p' }])).toEqual([{ ...base, parameter: 'p' }]);
    expect(splitWeaknesses([{ ...base, engine: 'zap' }])).toEqual([{ ...base, engine: 'zap' }]);
    expect(splitWeaknesses([{ ...base, instances: [{ url: ROOT, method: 'GET' }] }])).toEqual([{ ...base, instances: [{ url: ROOT, method: 'GET' }] }]);
    expect(weaknessName('wapiti', 'http-secure-headers', 'X-Frame-Options\nX-Other is not set')).toBeUndefined();
    expect(weaknessName('wapiti', 'toString', 'X is not set')).toBeUndefined();
    expect(splitWeaknesses([base])[0]?.parameter).toBe('X-Frame-Options');
  });

  it('is idempotent: a split finding names its weakness already', async () => {
    const once = splitWeaknesses(await parseWapitiJson(realDemoReport()));
    expect(splitWeaknesses(once)).toEqual(once);
  });
});

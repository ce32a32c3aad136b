import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSarif } from '../../render/reports/sarif';
import { writeReports } from '../../activities/reports/write-reports';
import { fingerprint } from '../../domain/fingerprint';
import type { ReportedFinding, ScanReport } from '../../domain/scan-report';
import { buildScanReport } from '../fixtures/scan-report';
import { errors, validateSarif as validate } from '../support/sarif-multitool';

const dir = mkdtempSync(join(tmpdir(), 'secops-sarif-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROOT = 'http://127.0.0.1:8080/';

/** A missing header as the weakness split reports it: its own finding, named as its parameter. */
function missingHeader(header: string): ReportedFinding {
  return {
    fingerprint: fingerprint('wapiti', 'http-secure-headers', ROOT, header), engine: 'wapiti', ruleId: 'http-secure-headers', title: 'HTTP Secure Headers',
    severity: 'low', confidence: 'high', cwe: 693, url: ROOT, method: 'GET', parameter: header, evidence: `${header} is not set`,
    description: 'HTTP security headers tell the browser how to behave when handling the website\'s content.', solution: 'Use the recommended hardening HTTP security headers.',
    references: ['https://owasp.org/www-project-secure-headers/'], instances: [{ url: ROOT, method: 'GET', parameter: header, evidence: `${header} is not set` }],
    status: 'persisting', firstSeen: '2025-05-26T01:00:00.000Z', action: 'WARN',
  };
}

/** Everything this change adds to the log: the scanner run, its scan quality, split findings and findings not re-tested. */
function fullReport(): ScanReport {
  const report = buildScanReport({
    findings: [...buildScanReport().findings, missingHeader('X-Frame-Options'), missingHeader('Strict-Transport-Security')],
    notRetested: [{ ...missingHeader('X-Content-Type-Options'), reason: 'the http_headers module did not finish' }],
  });
  return {
    ...report,
    target: { ...report.target, engine: 'wapiti' },
    scanner: { image: 'secops-flow/wapiti:latest', version: '3.0.4' },
    scanQuality: { targetAnswered: true, urlsCrawled: 7, requestsSent: 2051, requestsFailed: 0, modulesRun: ['http_headers', 'xss'], modulesFinished: ['xss'], durationSeconds: 1.6, source: 'wapiti report + log' },
  };
}

/** A valid report.sarif with one change, to show the validator can say no. */
function broken(name: string, change: (log: { version?: string; $schema?: string; runs: { tool: { driver: { rules: { help?: unknown }[] } }; results: { ruleIndex: number; locations: { physicalLocation: { artifactLocation: { uri?: string } } }[] }[] }[] }) => void): string {
  const log = JSON.parse(renderSarif(fullReport()));
  change(log);
  const file = join(dir, `${name}.sarif`);
  writeFileSync(file, JSON.stringify(log));
  return file;
}

describe('SARIF report against the SARIF Multitool', () => {
  it.each([
    ['a ZAP scan with a version passed in', buildScanReport(), { toolVersion: '2.16.1' }],
    ['a Wapiti scan with its scanner, scan quality, split findings and findings not re-tested', fullReport(), {}],
  ])('validates %s with no errors, GitHub code scanning and advanced-security rules included', async (_case, report, options) => {
    const paths = await writeReports(report, join(dir, `scan-${report.target.engine}`), options);
    const issues = await validate(paths.sarif);
    expect(errors(issues)).toEqual([]);
    // Only the spec's advice that a location have a line region remains: a URL has none.
    expect(issues.filter((i) => i.ruleId !== 'SARIF2017')).toEqual([]);
  });

  it.each([
    ['without a version', 'JSON1002', broken('no-version', (log) => delete log.version)],
    ['with a ruleIndex past the rules', 'SARIF1009', broken('bad-rule-index', (log) => {
      const result = log.runs[0]?.results[0];
      if (result) result.ruleIndex = 99;
    })],
    ['with a rule GitHub cannot show', 'GH2012', broken('no-help', (log) => {
      const rule = log.runs[0]?.tool.driver.rules[0];
      if (rule) delete rule.help;
    })],
    ['without the $schema GitHub requires', 'GH1013', broken('no-schema', (log) => delete log.$schema)],
    ['with a location GitHub cannot place', 'GH1017', broken('no-uri', (log) => {
      const location = log.runs[0]?.results[0]?.locations[0];
      if (location) delete location.physicalLocation.artifactLocation.uri;
    })],
  ])('reports an error for a log %s (%s)', async (_case, ruleId, file) => {
    expect(errors(await validate(file)).map((i) => i.ruleId)).toContain(ruleId);
  });
});

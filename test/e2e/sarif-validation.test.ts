import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSarif } from '../../render/reports/sarif';
import { writeReports } from '../../activities/reports/write-reports';
import { buildScanReport } from '../fixtures/scan-report';
import { errors, validateSarif as validate } from '../support/sarif-multitool';

const dir = mkdtempSync(join(tmpdir(), 'secops-sarif-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A valid report.sarif with one change, to show the validator can say no. */
function broken(name: string, change: (log: { version?: string; runs: { tool: { driver: { rules: { help?: unknown }[] } }; results: { ruleIndex: number }[] }[] }) => void): string {
  const log = JSON.parse(renderSarif(buildScanReport()));
  change(log);
  const file = join(dir, `${name}.sarif`);
  writeFileSync(file, JSON.stringify(log));
  return file;
}

describe('SARIF report against the SARIF Multitool', () => {
  it('validates with no errors, GitHub ingestion rules included', async () => {
    const paths = await writeReports(buildScanReport(), join(dir, 'scan'), { toolVersion: '2.16.1' });
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
  ])('reports an error for a log %s (%s)', async (_case, ruleId, file) => {
    expect(errors(await validate(file)).map((i) => i.ruleId)).toContain(ruleId);
  });
});

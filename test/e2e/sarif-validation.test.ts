import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import multitool from '@microsoft/sarif-multitool-linux';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSarif } from '../../activities/reports/sarif';
import { writeReports } from '../../activities/reports/write-reports';
import { buildScanReport } from '../fixtures/scan-report';

interface Issue {
  ruleId: string;
  level: string;
  text: string;
}

const dir = mkdtempSync(join(tmpdir(), 'secops-sarif-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Microsoft's SARIF Multitool: the JSON schema, the spec's SHALL rules (SARIF1xxx) and
 * GitHub code scanning's ingestion rules (GH*), the validator GitHub's docs point to.
 * Its verdict is itself a SARIF log; a result without a level is a warning.
 */
async function validate(file: string): Promise<Issue[]> {
  const out = `${file}.validation.sarif`;
  await promisify(execFile)(multitool, ['validate', file, '--output', out, '--log', 'ForceOverwrite', '--rule-kind', 'Sarif;Gh'], { timeout: 60_000 });
  const log = JSON.parse(readFileSync(out, 'utf8')) as {
    runs: { results?: { ruleId: string; level?: string; message: { text?: string; id?: string; arguments?: string[] } }[]; invocations: { executionSuccessful: boolean }[] }[];
  };
  const run = log.runs[0];
  expect(run?.invocations[0]?.executionSuccessful).toBe(true);
  return (run?.results ?? []).map((r) => ({ ruleId: r.ruleId, level: r.level ?? 'warning', text: r.message.text ?? [r.message.id, ...(r.message.arguments ?? [])].join(' ') }));
}

function errors(issues: Issue[]): Issue[] {
  return issues.filter((i) => i.level === 'error');
}

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

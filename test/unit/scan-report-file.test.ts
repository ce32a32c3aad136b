import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScanReport } from '../../domain/scan-report';
import { ValidationError } from '../../domain/validation-error';
import { renderJson } from '../../render/reports/json';
import { readScanReport, scanReportPath, writeScanReport } from '../../store/scan-report-file';
import { buildScanReport } from '../fixtures/scan-report';

const problemsOf = (text: string): string[] => {
  try {
    parseScanReport(text, '/r/scan-report.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).source).toBe('/r/scan-report.json');
    return (error as ValidationError).problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
  }
  throw new Error('expected the report to be rejected');
};

describe('the scan report on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secops-scan-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const report = buildScanReport();

  it('reads back exactly what was written, and the JSON report rendered from it', async () => {
    const path = await writeScanReport(join(dir, 'shop', 'run-1'), report);
    expect(path).toBe(scanReportPath(join(dir, 'shop', 'run-1')));
    expect(await readScanReport(path)).toEqual(report);
    const rendered = join(dir, 'report.json');
    writeFileSync(rendered, renderJson(report));
    expect(await readScanReport(rendered)).toEqual(report);
  });

  it('refuses a truncated file, naming the file', () => {
    const text = JSON.stringify(report);
    expect(problemsOf(text.slice(0, text.length / 2))[0]).toMatch(/^not JSON: /);
  });

  it('lists every field that does not fit the schema, with its path', () => {
    const broken = JSON.parse(JSON.stringify(report)) as Record<string, unknown> & { findings: Record<string, unknown>[] };
    broken.verdict = 'maybe';
    delete broken.findings[0]!.severity;
    broken.findings[1]!.action = 'BLOCK';
    expect(problemsOf(JSON.stringify(broken))).toEqual([
      expect.stringMatching(/^findings\[0\]\.severity: /),
      expect.stringMatching(/^findings\[1\]\.action: /),
      expect.stringMatching(/^verdict: /),
    ]);
  });

  it('says which file could not be read', async () => {
    await expect(readScanReport(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json/);
    expect(readFileSync(scanReportPath(join(dir, 'shop', 'run-1')), 'utf8')).toBe(JSON.stringify(report));
  });
});

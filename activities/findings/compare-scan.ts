import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/activity';
import { compareWithBaseline } from '../../domain/baseline';
import { parseScanCoverage, type ScanCoverage } from '../../domain/coverage';
import type { Engine, Severity, SeverityCounts } from '../../domain/finding';
import type { ScanReport } from '../../domain/scan-report';
import { DEFAULT_FAIL_ON, parseScanRules, type ScanRules } from '../../domain/scan-rules';
import { ValidationError } from '../../domain/validation-error';
import type { Database } from '../../store/database';
import { readScanReport, scanReportPath, writeScanReport } from '../../store/scan-report-file';
import { completeScan, firstSeenDates, getScan, loadScanFindings, openFindingSummaries } from '../../store/scans';
import { triageDecisions } from '../../store/triage';

export interface CompareInput {
  scanId: string;
  /** `failOn` is absent from the targets of runs started before it existed: they get its default. */
  target: { id: string; url: string; engine: Engine; profile: string; rulesFile?: string; failOn?: Severity };
  reportDir: string;
  /** What the scan covered (runScanner's coveragePath); runs started before it was recorded have none. */
  coveragePath?: string;
}

export interface CompareResult {
  counts: SeverityCounts;
  diff: ScanReport['diff'];
  verdict: ScanReport['verdict'];
  /** The full ScanReport, on disk: workflows carry paths and counts, never the findings. */
  scanReportPath: string;
}

export function createCompareActivities(db: () => Database) {
  return {
    /**
     * Diffs the scan against the target's open findings, honoring triage and what the scan
     * covered (a finding it did not see is fixed only if it re-tested it), then completes it.
     */
    async compareWithBaseline(input: CompareInput): Promise<CompareResult> {
      const store = db();
      const scan = await getScan(store, input.scanId);
      if (!scan) throw ApplicationFailure.nonRetryable(`scan ${input.scanId} was never recorded`);
      // Completed already: this is a retry whose first attempt's answer was lost. The findings
      // moved on then; diffing again would compare the scan with itself.
      if (scan.status === 'completed' && scan.reportDir) return resultOf(await readScanReport(scanReportPath(scan.reportDir)), scanReportPath(scan.reportDir));
      const now = new Date();
      const [current, baseline, triage, firstSeen, rules, coverage] = await Promise.all([
        loadScanFindings(store, input.scanId),
        openFindingSummaries(store, input.target.id, input.scanId),
        triageDecisions(store, input.target.id),
        firstSeenDates(store, input.target.id),
        loadRules(input.target.rulesFile),
        loadCoverage(input.coveragePath),
      ]);
      const result = compareWithBaseline({ current, baseline, coverage, triage, rules, failOn: input.target.failOn ?? DEFAULT_FAIL_ON, firstSeen, now });
      const report: ScanReport = {
        scanId: input.scanId,
        target: { id: input.target.id, url: input.target.url, engine: input.target.engine, profile: input.target.profile },
        startedAt: scan.startedAt.toISOString(),
        finishedAt: now.toISOString(),
        ...result,
        ...(coverage && { scanQuality: coverage.quality, scanner: coverage.scanner }),
      };
      const path = await writeScanReport(input.reportDir, report);
      await completeScan(store, input.scanId, {
        verdict: result.verdict, counts: result.counts, reportDir: input.reportDir, finishedAt: now, fixed: result.fixed.map((f) => f.fingerprint), coverage,
      });
      return resultOf(report, path);
    },
  };
}

function resultOf(report: ScanReport, scanReportPath: string): CompareResult {
  return { counts: report.counts, diff: report.diff, verdict: report.verdict, scanReportPath };
}

/** The scanner worker's record of what the scan covered; one that does not parse will not on a retry. */
export async function loadCoverage(path: string | undefined): Promise<ScanCoverage | undefined> {
  if (!path) return undefined;
  const text = await readFile(path, 'utf8');
  try {
    return parseScanCoverage(text, path);
  } catch (error) {
    if (error instanceof ValidationError) throw ApplicationFailure.nonRetryable(error.message, 'InvalidCoverage');
    throw error;
  }
}

async function loadRules(path: string | undefined): Promise<ScanRules> {
  if (!path) return new Map();
  try {
    return parseScanRules(await readFile(path, 'utf8'), path);
  } catch (error) {
    const message = error instanceof ValidationError ? error.message : `${path}: ${(error as Error).message}`;
    throw ApplicationFailure.nonRetryable(message, 'InvalidRulesFile');
  }
}

import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/activity';
import { compareWithBaseline } from '../../domain/baseline';
import type { Engine, Severity, SeverityCounts } from '../../domain/finding';
import type { ScanReport } from '../../domain/scan-report';
import { DEFAULT_FAIL_ON, parseScanRules, type ScanRules } from '../../domain/scan-rules';
import { ValidationError } from '../../domain/validation-error';
import type { Database } from '../../store/database';
import { writeScanReport } from '../../store/scan-report-file';
import { completeScan, firstSeenDates, getScan, lastCompletedScan, loadScanFindingSummaries, loadScanFindings } from '../../store/scans';
import { triageDecisions } from '../../store/triage';

export interface CompareInput {
  scanId: string;
  /** `failOn` is absent from the targets of runs started before it existed: they get its default. */
  target: { id: string; url: string; engine: Engine; profile: string; rulesFile?: string; failOn?: Severity };
  reportDir: string;
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
    /** Diffs the scan against the target's last completed scan, honoring triage, then completes it. */
    async compareWithBaseline(input: CompareInput): Promise<CompareResult> {
      const store = db();
      const scan = await getScan(store, input.scanId);
      if (!scan) throw ApplicationFailure.nonRetryable(`scan ${input.scanId} was never recorded`);
      const baselineScan = await lastCompletedScan(store, input.target.id, input.scanId);
      const now = new Date();
      const [current, baseline, triage, firstSeen, rules] = await Promise.all([
        loadScanFindings(store, input.scanId),
        baselineScan ? loadScanFindingSummaries(store, baselineScan.id) : Promise.resolve([]),
        triageDecisions(store, input.target.id),
        firstSeenDates(store, input.target.id),
        loadRules(input.target.rulesFile),
      ]);
      const result = compareWithBaseline({ current, baseline, triage, rules, failOn: input.target.failOn ?? DEFAULT_FAIL_ON, firstSeen, now });
      const report: ScanReport = {
        scanId: input.scanId,
        target: { id: input.target.id, url: input.target.url, engine: input.target.engine, profile: input.target.profile },
        startedAt: scan.startedAt.toISOString(),
        finishedAt: now.toISOString(),
        ...result,
      };
      const scanReportPath = await writeScanReport(input.reportDir, report);
      await completeScan(store, input.scanId, { verdict: result.verdict, counts: result.counts, reportDir: input.reportDir, finishedAt: now });
      return { counts: result.counts, diff: result.diff, verdict: result.verdict, scanReportPath };
    },
  };
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

import type { ScanReport } from './scan-report';

/** What a scan says of one finding it was asked to re-test. */
export type RetestOutcome =
  | { state: 'fixed' }
  | { state: 'still-found'; status: string }
  | { state: 'not-retested'; reason: string }
  | { state: 'unknown' };

/**
 * A finding is fixed only when the scan re-tested it and did not find it (the report's
 * `fixed`, which the coverage-aware diff fills); found again, or not re-tested, it is not.
 */
export function retestOutcome(report: Pick<ScanReport, 'fixed' | 'findings' | 'notRetested'>, fingerprint: string): RetestOutcome {
  if (report.fixed.some((f) => f.fingerprint === fingerprint)) return { state: 'fixed' };
  const found = report.findings.find((f) => f.fingerprint === fingerprint);
  if (found) return { state: 'still-found', status: found.status };
  const untested = report.notRetested.find((f) => f.fingerprint === fingerprint);
  if (untested) return { state: 'not-retested', reason: untested.reason ?? 'the scan could not re-test it' };
  return { state: 'unknown' };
}

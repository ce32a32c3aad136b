import { CancellationScope, isCancellation, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Target } from '../domain/config';
import type { DastScanResult } from '../domain/dast';
import { failureMessage } from '../domain/failure-message';
import type { Engine } from '../domain/finding';
import { diffAndReport } from './diff-and-report';
import { scanReportDir } from '../domain/scan-report-dir';

/** The profile an imported report's scan is recorded with: no scanner of ours ran it. */
export const IMPORTED_PROFILE = 'imported';

export interface ImportReportInput {
  /** A snapshot of the target from the config: rules file, failOn, channel. */
  target: Target;
  /** The engine that wrote the report, which may differ from the one the target is scanned with. */
  engine: Engine;
  /** An absolute path the control worker can read. */
  reportPath: string;
  artifactsDir: string;
}

/**
 * A report produced elsewhere (a CI job's ZAP or Wapiti JSON) taken in as a scan of kind
 * `imported`: the steps of dastScan after the scanner — ingest, the coverage-aware diff
 * with triage, the reports, the notice — with what the report itself shows as coverage.
 * A bad report is refused before the scan is recorded, so it leaves no row and no file.
 */
export async function importReport(input: ImportReportInput): Promise<DastScanResult> {
  const { target, engine, reportPath } = input;
  const scanId = workflowInfo().workflowId;
  const control = proxyLocalActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: { maximumAttempts: 5 } });

  await control.checkReport({ engine, reportPath, targetUrl: target.url });
  await control.recordScanStarted({ scanId, targetId: target.id, engine, profile: IMPORTED_PROFILE, startedAt: new Date().toISOString() });
  const reportDir = scanReportDir(input.artifactsDir, target.id, scanId);
  try {
    const ingested = await control.ingestReport({ scanId, engine, reportPath });
    const coveragePath = await control.recordImportedCoverage({ scanId, engine, reportDir, reportPath });
    return await diffAndReport(control, { scanId, target: { ...target, engine, profile: IMPORTED_PROFILE }, reportDir, coveragePath, findings: ingested.findings });
  } catch (error) {
    const reason = isCancellation(error) ? 'cancelled' : failureMessage(error);
    await CancellationScope.nonCancellable(() => control.recordScanFailed({ scanId, error: reason }));
    throw error;
  }
}

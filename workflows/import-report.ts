import { CancellationScope, isCancellation, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Target } from '../domain/config';
import type { DastScanResult } from '../domain/dast';
import { failureMessage } from '../domain/failure-message';
import type { Engine } from '../domain/finding';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';

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

  await control.checkReport({ engine, reportPath });
  await control.recordScanStarted({ scanId, targetId: target.id, engine, profile: IMPORTED_PROFILE, startedAt: new Date().toISOString() });
  const reportDir = `${input.artifactsDir}/${target.id}/${scanId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  try {
    const ingested = await control.ingestReport({ scanId, engine, reportPath });
    const coveragePath = await control.recordImportedCoverage({ scanId, engine, reportDir, reportPath });
    const compared = await control.compareWithBaseline({ scanId, target: { ...target, engine, profile: IMPORTED_PROFILE }, reportDir, coveragePath });
    const reports = await control.publishReports({ scanReportPath: compared.scanReportPath });
    await control.notifyScan({ scanReportPath: compared.scanReportPath, htmlReportPath: reports.html, channel: target.channel });
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.verdict, value: compared.verdict }]);
    return { scanId, targetId: target.id, verdict: compared.verdict, counts: compared.counts, diff: compared.diff, findings: ingested.findings, reports };
  } catch (error) {
    const reason = isCancellation(error) ? 'cancelled' : failureMessage(error);
    await CancellationScope.nonCancellable(() => control.recordScanFailed({ scanId, error: reason }));
    throw error;
  }
}

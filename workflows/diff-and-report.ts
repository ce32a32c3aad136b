import { upsertSearchAttributes, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DastScanResult } from '../domain/dast';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';

/**
 * The steps every scan ends with once its findings are in the store, whether our scanner
 * ran it (dastScan) or a report was imported (importReport): the diff by what was covered,
 * with triage; the four reports; the channel's summary; the verdict on the run.
 */
export async function diffAndReport(
  control: ActivityInterfaceFor<Activities>,
  scan: { scanId: string; target: Parameters<Activities['compareWithBaseline']>[0]['target'] & { channel?: string }; reportDir: string; coveragePath?: string; findings: number },
): Promise<DastScanResult> {
  const { scanId, target } = scan;
  const compared = await control.compareWithBaseline({ scanId, target, reportDir: scan.reportDir, coveragePath: scan.coveragePath });
  const reports = await control.publishReports({ scanReportPath: compared.scanReportPath });
  await control.notifyScan({ scanReportPath: compared.scanReportPath, htmlReportPath: reports.html, channel: target.channel });
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.verdict, value: compared.verdict }]);
  return { scanId, targetId: target.id, verdict: compared.verdict, counts: compared.counts, diff: compared.diff, findings: scan.findings, reports };
}

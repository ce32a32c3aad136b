import { dirname } from 'node:path';
import { readScanReport } from '../../store/scan-report-file';
import { writeReports, type ReportPaths } from './write-reports';

export function createReportActivities() {
  return {
    /** Renders JSON, SARIF, Markdown and HTML beside the scan report; returns their paths. */
    async publishReports(input: { scanReportPath: string }): Promise<ReportPaths> {
      const report = await readScanReport(input.scanReportPath);
      return writeReports(report, dirname(input.scanReportPath));
    },
  };
}

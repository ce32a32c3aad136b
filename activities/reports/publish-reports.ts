import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ScanReport } from '../../domain/scan-report';
import { writeReports, type ReportPaths } from './write-reports';

export function createReportActivities() {
  return {
    /** Renders JSON, SARIF, Markdown and HTML beside the scan report; returns their paths. */
    async publishReports(input: { scanReportPath: string }): Promise<ReportPaths> {
      const report = JSON.parse(await readFile(input.scanReportPath, 'utf8')) as ScanReport;
      return writeReports(report, dirname(input.scanReportPath));
    },
  };
}

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseScanReport, type ScanReport } from '../domain/scan-report';

/**
 * A scan's report on disk, beside its rendered reports: the SQL store keeps the scan's row
 * and findings, the file keeps the whole report (triage, diff, verdict) that the reports,
 * the Slack summary and the front ends are drawn from. Written once, read back by all of
 * them through `readScanReport`, which checks it with its schema.
 */
const SCAN_REPORT_FILE = 'scan-report.json';

/** The report of the scan whose artifacts are in `reportDir` (the scans row's report_dir). */
export function scanReportPath(reportDir: string): string {
  return join(reportDir, SCAN_REPORT_FILE);
}

/** Writes the report into `reportDir`; returns its path. */
export async function writeScanReport(reportDir: string, report: ScanReport): Promise<string> {
  await mkdir(reportDir, { recursive: true });
  const path = scanReportPath(reportDir);
  await writeFile(path, JSON.stringify(report));
  return path;
}

/** Reads a scan report — this file, or the JSON report rendered from it — and validates it. */
export async function readScanReport(path: string): Promise<ScanReport> {
  return parseScanReport(await readFile(path, 'utf8'), path);
}

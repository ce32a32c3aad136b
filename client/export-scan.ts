import { renderHtml } from '../render/reports/html';
import { renderJson } from '../render/reports/json';
import { renderMarkdown } from '../render/reports/markdown';
import { renderSarif } from '../render/reports/sarif';
import type { Database } from '../store/database';
import { lastCompletedScan } from '../store/scans';
import { readScanReport, scanReportPath } from '../store/scan-report-file';

export const EXPORT_FORMATS = { json: renderJson, sarif: renderSarif, md: renderMarkdown, html: renderHtml } as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** The target's latest completed scan, rendered in the asked format. */
export async function exportLatestScan(db: Database, targetId: string, format: ExportFormat): Promise<string> {
  const scan = await lastCompletedScan(db, targetId, '');
  if (!scan?.reportDir) throw new Error(`target ${targetId} has no completed scan yet`);
  return EXPORT_FORMATS[format](await readScanReport(scanReportPath(scan.reportDir)));
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScanReport } from '../domain/scan-report';
import type { Database } from '../store/database';
import { lastCompletedScan, listTargetFindings } from '../store/scans';
import { renderHtml } from '../render/reports/html';
import { renderJson } from '../render/reports/json';
import { renderMarkdown } from '../render/reports/markdown';
import { renderSarif } from '../render/reports/sarif';
import { renderTable } from '../render/terminal/table';

export const EXPORT_FORMATS = { json: renderJson, sarif: renderSarif, md: renderMarkdown, html: renderHtml } as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** Every finding the target ever had, open first, with first/last seen. */
export async function findingsTable(db: Database, targetId: string): Promise<string> {
  const findings = await listTargetFindings(db, targetId);
  if (findings.length === 0) return `no findings for target ${targetId}`;
  return renderTable(
    ['status', 'severity', 'finding', 'location', 'first seen', 'last seen', 'fingerprint'],
    findings.map((f) => [f.status, f.severity, f.title, f.url + (f.parameter ? ` [${f.parameter}]` : ''), day(f.firstSeenAt), day(f.lastSeenAt), f.fingerprint.slice(0, 12)]),
  );
}

/** The target's latest completed scan, rendered in the asked format. */
export async function exportLatestScan(db: Database, targetId: string, format: ExportFormat): Promise<string> {
  const scan = await lastCompletedScan(db, targetId, '');
  if (!scan?.reportDir) throw new Error(`target ${targetId} has no completed scan yet`);
  const report = JSON.parse(await readFile(join(scan.reportDir, 'scan-report.json'), 'utf8')) as ScanReport;
  return EXPORT_FORMATS[format](report);
}

function day(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

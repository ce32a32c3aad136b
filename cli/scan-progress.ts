import type { Target } from '../domain/config';
import type { DastScanResult } from '../domain/dast';
import { readScanReport } from '../client/read-scan-report';
import type { ScanHandle } from '../client/start-scan';
import { waitForScan } from '../client/wait-for-scan';
import { scanQualityLine } from '../render/reports/scan-quality';
import { changesText } from '../render/slack/scan-summary';
import { renderTable } from '../render/terminal/table';

/** Waits for the result; on a terminal, one progress line is redrawn with what the run is doing. */
export async function waitWithProgress(handle: ScanHandle, target: Target, out: NodeJS.WriteStream): Promise<DastScanResult> {
  const started = Date.now();
  const result = await waitForScan(handle, (status) => {
    if (out.isTTY) out.write(`\r\x1b[K${progressBar((Date.now() - started) / 1000, target.maxScanMinutes * 60)} ${status}`);
  });
  if (out.isTTY) out.write('\r\x1b[K');
  return result;
}

function progressBar(elapsedSeconds: number, maxSeconds: number): string {
  const width = 24;
  const filled = Math.min(width, Math.round((elapsedSeconds / maxSeconds) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(elapsedSeconds)}s`;
}

/**
 * The result as a person reads it: verdict, what changed, what the scan covered, the
 * findings table (fixed ones last), the open findings it could not re-test, report paths.
 */
export async function formatScanResult(result: DastScanResult): Promise<string> {
  const report = await readScanReport(result.reports.json);
  const where = (f: { url: string; parameter?: string }) => f.url + (f.parameter ? ` [${f.parameter}]` : '');
  const rows = [
    ...report.findings.map((f) => [f.status, f.severity, f.title, where(f), f.action]),
    ...report.fixed.map((f) => ['fixed', f.severity, f.title, where(f), '']),
  ];
  const notRetested = report.notRetested.map((f) => [f.severity, f.title, where(f), f.reason ?? '']);
  return [
    `scan ${result.scanId}: ${result.verdict.toUpperCase()} — ${changesText(report.diff)}`,
    `scan quality: ${report.scanQuality ? scanQualityLine(report.scanQuality, report.target.engine) : 'not recorded'}`,
    '',
    rows.length > 0 ? renderTable(['status', 'severity', 'finding', 'location', 'rule'], rows) : 'no findings',
    '',
    ...(notRetested.length > 0
      ? [`not re-tested, still open (${notRetested.length}):`, renderTable(['severity', 'finding', 'location', 'why'], notRetested), '']
      : []),
    `HTML report:  ${result.reports.html}`,
    `SARIF:        ${result.reports.sarif}`,
    `Markdown:     ${result.reports.markdown}`,
    `JSON:         ${result.reports.json}`,
  ].join('\n');
}

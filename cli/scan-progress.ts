import type { Target } from '../domain/config';
import type { DastScanResult } from '../domain/dast';
import { readScanReport } from '../client/read-scan-report';
import type { ScanHandle } from '../client/start-scan';
import { waitForScan } from '../client/wait-for-scan';
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

/** The result as a person reads it: verdict, what changed, the findings table, report paths. */
export async function formatScanResult(result: DastScanResult): Promise<string> {
  const report = await readScanReport(result.reports.json);
  const rows = report.findings.map((f) => [f.status, f.severity, f.title, f.url + (f.parameter ? ` [${f.parameter}]` : ''), f.action]);
  const d = result.diff;
  return [
    `scan ${result.scanId}: ${result.verdict.toUpperCase()} — ${d.new} new, ${d.fixed} fixed, ${d.persisting} persisting, ${d.suppressed} suppressed`,
    '',
    rows.length > 0 ? renderTable(['status', 'severity', 'finding', 'location', 'rule'], rows) : 'no findings',
    '',
    `HTML report:  ${result.reports.html}`,
    `SARIF:        ${result.reports.sarif}`,
    `Markdown:     ${result.reports.markdown}`,
    `JSON:         ${result.reports.json}`,
  ].join('\n');
}

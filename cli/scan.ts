import { readFile } from 'node:fs/promises';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Principal } from '../domain/approval';
import type { Config, Target } from '../domain/config';
import { dastScanInput, dastWorkflowId, type DastScanResult } from '../domain/dast';
import type { ScanReport } from '../domain/scan-report';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { renderTable } from '../render/terminal/table';

/** ZAP's packaged-scan exit codes, so a pipeline can gate on `secops scan` the same way. */
export const SCAN_EXIT_CODES = { pass: 0, fail: 1, warn: 2, error: 3 } as const;

/**
 * Starts a scan. A caller-chosen `workflowId` is an idempotency key (e.g. from a Slack
 * trigger_id): Temporal then refuses a second start with it, even after the first run ended.
 */
export async function startScan(client: Client, config: Config, target: Target, requestedBy: Principal, workflowId?: string): Promise<WorkflowHandle> {
  return client.workflow.start('dastScan', {
    taskQueue: config.taskQueues.control,
    workflowId: workflowId ?? dastWorkflowId(target.id, new Date()),
    ...(workflowId && { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const }),
    args: [dastScanInput(config, target, requestedBy)],
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.target, value: target.id }],
  });
}

/** Waits for the result, redrawing one progress line from the scanner activity's heartbeats. */
export async function waitForScan(handle: WorkflowHandle, target: Target, out: NodeJS.WriteStream): Promise<DastScanResult> {
  const started = Date.now();
  const result = handle.result() as Promise<DastScanResult>;
  let done = false;
  void result.finally(() => (done = true)).catch(() => undefined);
  while (!done) {
    const status = await handle.describe().then(progressLine, () => 'waiting for the workflow');
    if (out.isTTY) out.write(`\r\x1b[K${progressBar((Date.now() - started) / 1000, target.maxScanMinutes * 60)} ${status}`);
    await Promise.race([result.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000))]);
  }
  if (out.isTTY) out.write('\r\x1b[K');
  return result;
}

function progressLine(description: Awaited<ReturnType<WorkflowHandle['describe']>>): string {
  const pending = description.raw.pendingActivities?.[0];
  if (!pending) return description.status.name === 'RUNNING' ? 'working' : description.status.name.toLowerCase();
  return `${pending.activityType?.name ?? 'activity'} (attempt ${pending.attempt ?? 1})`;
}

function progressBar(elapsedSeconds: number, maxSeconds: number): string {
  const width = 24;
  const filled = Math.min(width, Math.round((elapsedSeconds / maxSeconds) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(elapsedSeconds)}s`;
}

/** The result as a person reads it: verdict, what changed, the findings table, report paths. */
export async function formatScanResult(result: DastScanResult): Promise<string> {
  const report = JSON.parse(await readFile(result.reports.json, 'utf8')) as ScanReport;
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

/** The failure's own message (e.g. "target shop refused: …"), not the wrapper's. */
export function scanFailureMessage(error: unknown): string {
  if (error instanceof WorkflowFailedError) {
    const cause = error.cause;
    return cause?.cause instanceof Error ? cause.cause.message : cause?.message ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

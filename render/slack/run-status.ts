import type { KnownBlock } from '@slack/web-api';
import type { DastScanResult } from '../../domain/dast';
import { code, date, line } from './mrkdwn';
import type { SlackMessage } from './message';

/** Where one run stands, as `/secops status <workflow id>` reports it. */
export interface RunStatus {
  workflowId: string;
  workflowType: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, … */
  status: string;
  startedAt: string;
  closedAt?: string;
  /** A finished dastScan's outcome. */
  scan?: Pick<DastScanResult, 'verdict' | 'counts' | 'diff'>;
  /** Why a failed run failed, in its own words. */
  failure?: string;
}

export function runStatusMessage(run: RunStatus): SlackMessage {
  const lines = [
    `${code(run.workflowId, 600)} (${line(run.workflowType, 100)}): *${line(run.status.toLowerCase(), 40)}*`,
    `started ${date(run.startedAt)}${run.closedAt ? `, closed ${date(run.closedAt)}` : ''}`,
  ];
  if (run.scan) {
    const { verdict, counts: c, diff: d } = run.scan;
    lines.push(`verdict *${verdict.toUpperCase()}* · critical ${c.critical} · high ${c.high} · medium ${c.medium} · low ${c.low} · info ${c.info}`);
    // Not re-tested findings stay open: a scan that could not reach them says so rather than calling them fixed.
    lines.push(`${d.new} new, ${d.fixed} fixed, ${d.persisting} persisting, ${d.suppressed} suppressed${d.notRetested ? `, ${d.notRetested} not re-tested` : ''}`);
  }
  if (run.failure) lines.push(`failure: ${line(run.failure, 1500)}`);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }];
  return { text: `${line(run.workflowId, 600)}: ${run.status.toLowerCase()}${run.scan ? `, verdict ${run.scan.verdict}` : ''}`, blocks };
}

import type { HomeView, KnownBlock } from '@slack/web-api';
import type { PendingApproval } from '../../domain/approval-rules';
import type { Verdict } from '../../domain/scan-report';
import { code, date, line } from './mrkdwn';
import { pendingApprovalBlocks } from './pending-approvals';

/** A dastScan run as the visibility store lists it. */
export interface RecentScan {
  workflowId: string;
  targetId?: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, … */
  status: string;
  verdict?: Verdict;
  startedAt: string;
}

const VERDICT: Record<Verdict, string> = { pass: ':white_check_mark: pass', warn: ':warning: warn', fail: ':x: fail' };

/**
 * The App Home tab: what waits for me, then how the latest scans went. A section appears
 * only when it has something to show, so the tab never carries placeholders.
 */
export function appHomeView(input: { approvals: PendingApproval[]; scans: RecentScan[] }): HomeView {
  const blocks: KnownBlock[] = [header('Waiting for your approval')];
  blocks.push(...(input.approvals.length > 0 ? pendingApprovalBlocks(input.approvals) : [note('Nothing is waiting for you.')]));
  if (input.scans.length > 0) blocks.push({ type: 'divider' }, header('Recent scans'), ...input.scans.map(scanSection));
  return { type: 'home', blocks };
}

function scanSection(scan: RecentScan): KnownBlock {
  const outcome = scan.verdict ? VERDICT[scan.verdict] : 'no verdict';
  const what = scan.targetId ? `*${line(scan.targetId, 64)}*` : 'scan';
  return { type: 'section', text: { type: 'mrkdwn', text: `${outcome} · ${what} · ${line(scan.status.toLowerCase(), 40)} · started ${date(scan.startedAt)}\n${code(scan.workflowId, 300)}` } };
}

function header(text: string): KnownBlock {
  return { type: 'header', text: { type: 'plain_text', text } };
}

function note(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

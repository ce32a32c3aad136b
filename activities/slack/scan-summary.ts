import type { KnownBlock } from '@slack/web-api';
import type { ScanReport } from '../../domain/scan-report';

const MAX_LISTED = 10;
const ICON: Record<ScanReport['verdict'], string> = { pass: ':white_check_mark:', warn: ':warning:', fail: ':x:' };

/** The scan summary posted to the target's channel: verdict, counts, what changed, new findings first. */
export function scanSummaryBlocks(report: ScanReport, links: { html: string; run?: string }): { text: string; blocks: KnownBlock[] } {
  const c = report.counts;
  const d = report.diff;
  const text = `${ICON[report.verdict]} DAST ${report.target.id}: ${report.verdict.toUpperCase()} — ${d.new} new, ${d.fixed} fixed, ${d.persisting} persisting, ${d.suppressed} suppressed`;
  const fresh = report.findings.filter((f) => f.status === 'new');
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${text}*\n${truncate(report.target.url, 200)} · ${report.target.engine} ${report.target.profile}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `critical ${c.critical} · high ${c.high} · medium ${c.medium} · low ${c.low} · info ${c.info}` }] },
  ];
  if (fresh.length > 0) {
    const lines = fresh.slice(0, MAX_LISTED).map((f) => `• *${f.severity}* ${truncate(f.title, 120)} — \`${truncate(f.url, 150)}\`${f.parameter ? ` (${truncate(f.parameter, 40)})` : ''}`);
    if (fresh.length > MAX_LISTED) lines.push(`… and ${fresh.length - MAX_LISTED} more`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*New since last scan*\n${lines.join('\n')}`, 2900) } });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`Report: ${links.html}${links.run ? ` · <${links.run}|Temporal run>` : ''}`, 2900) }] });
  return { text, blocks };
}

function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

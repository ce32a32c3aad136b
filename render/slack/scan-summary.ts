import type { ActionsBlock, KnownBlock, SectionBlock } from '@slack/web-api';
import type { Engine, Severity } from '../../domain/finding';
import type { ReportedFinding, ScanReport } from '../../domain/scan-report';
import { scanQualityLine } from '../reports/scan-quality';
import { code, date, line, link, plain, text } from './mrkdwn';
import type { SlackMessage } from './message';

/**
 * Triage buttons. Every listed finding has its own actions block with the same three
 * action_ids: Slack wants an action_id unique only within its block, so handlers match
 * these exactly and learn which finding from the value (a TriageRef).
 */
export const TRIAGE_ACTIONS = { acceptRisk: 'triage.accept-risk', falsePositive: 'triage.false-positive', ticket: 'triage.ticket' } as const;

/** A triage button's value, JSON-encoded: short keys keep it far below Slack's 2000 characters. */
export interface TriageRef {
  /** Target id. */
  t: string;
  /** Finding fingerprint. */
  f: string;
}

/** Enough to act on in a channel; the rest is in the report, and 10 × 2 blocks stay well under 50. */
const MAX_LISTED = 10;
const VERDICT: Record<ScanReport['verdict'], string> = { pass: ':white_check_mark: PASS', warn: ':warning: WARN', fail: ':x: FAIL' };
const SEVERITY: Record<Severity, string> = { critical: ':bangbang:', high: ':red_circle:', medium: ':large_orange_circle:', low: ':large_yellow_circle:', info: ':white_circle:' };

/** Not re-tested findings named in the summary; the report has them all. */
const MAX_NOT_RETESTED = 5;

/** What changed, as the summary and the CLI say it; "not re-tested" only when there are any. */
export function changesText(diff: ScanReport['diff']): string {
  const notRetested = diff.notRetested > 0 ? `, ${diff.notRetested} not re-tested` : '';
  return `${diff.new} new, ${diff.fixed} fixed, ${diff.persisting} persisting, ${diff.suppressed} suppressed${notRetested}`;
}

/** The scan summary posted to the target's channel: verdict, counts, what changed, new findings first with triage buttons. */
export function scanSummaryMessage(report: ScanReport, links: { html: string; run?: string }): SlackMessage {
  const { counts: c, diff: d, target } = report;
  const fresh = report.findings.filter((f) => f.status === 'new');
  const changes = changesText(d);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: plain(`${VERDICT[report.verdict]} — DAST ${target.id}`, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: `${code(target.url, 500)} · ${line(target.engine, 20)} ${line(target.profile, 60)} · finished ${date(report.finishedAt)}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `critical *${c.critical}* · high *${c.high}* · medium *${c.medium}* · low *${c.low}* · info *${c.info}*` }] },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Since the last scan: ${changes}` }] },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Scan quality: ${report.scanQuality ? line(scanQualityLine(report.scanQuality, target.engine), 1000) : 'not recorded'}` }] },
  ];
  if (report.notRetested.length > 0) blocks.push(notRetestedSection(report));
  if (fresh.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No new findings since the last scan.' } });
  else blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*New since the last scan (${fresh.length})*` } });
  fresh.slice(0, MAX_LISTED).forEach((finding, index) => blocks.push(findingSection(finding), triageButtons(target.id, finding, index)));
  if (fresh.length > MAX_LISTED) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `… and ${fresh.length - MAX_LISTED} more in the report` }] });
  const footer = [link(links.html, 'HTML report'), links.run && link(links.run, 'Temporal run')].filter(Boolean).join('  ·  ');
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: footer }] });
  return { text: `${VERDICT[report.verdict]} DAST ${line(target.id, 64)}: ${changes}`, blocks };
}

/** Still open though not seen: named with why, so nobody reads the scan as having fixed them. */
function notRetestedSection(report: ScanReport): SectionBlock {
  const listed = report.notRetested.slice(0, MAX_NOT_RETESTED).map((f) =>
    `${SEVERITY[f.severity]} ${line(f.title, 120)} ${code(f.url, 200)}${f.parameter ? ` ${code(f.parameter, 60)}` : ''}${f.reason ? ` — ${line(f.reason, 160)}` : ''}`);
  const more = report.notRetested.length > MAX_NOT_RETESTED ? [`… and ${report.notRetested.length - MAX_NOT_RETESTED} more in the report`] : [];
  return { type: 'section', text: { type: 'mrkdwn', text: [`*Not re-tested (${report.notRetested.length})* — still open: this scan could not show them fixed`, ...listed, ...more].join('\n') } };
}

/**
 * A scan that ended as an error, in the target's channel: why (the reason is ours, built
 * from the scanner's output, but it may quote the target's URL), and that no finding changed.
 */
export function scanErrorMessage(scan: { scanId: string; target: { id: string; url: string; engine: Engine; profile: string }; reason: string }, links: { run?: string }): SlackMessage {
  const { target } = scan;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: plain(`:rotating_light: ERROR — DAST ${target.id}`, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: `${code(target.url, 500)} · ${line(target.engine, 20)} ${line(target.profile, 60)} · scan ${code(scan.scanId, 200)}` } },
    { type: 'section', text: { type: 'mrkdwn', text: `*The scan failed:* ${text(scan.reason, 2000)}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'No finding changed: the last completed scan\'s results stand.' }] },
  ];
  if (links.run) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: link(links.run, 'Temporal run') }] });
  return { text: `:rotating_light: ERROR DAST ${line(target.id, 64)}: ${line(scan.reason, 300)}`, blocks };
}

/** Title, place and parameter come from the scanned site: escaped, on one line, shortened. */
function findingSection(finding: ReportedFinding): SectionBlock {
  const where = `${code(finding.url, 400)}${finding.parameter ? ` parameter ${code(finding.parameter, 100)}` : ''}`;
  const extra = [finding.cwe ? `CWE-${finding.cwe}` : '', finding.ticketUrl ? link(finding.ticketUrl, 'ticket') : ''].filter(Boolean).join(' · ');
  return { type: 'section', text: { type: 'mrkdwn', text: `${SEVERITY[finding.severity]} *${finding.severity}*  ${line(finding.title, 300)}\n${where}${extra ? `\n${extra}` : ''}` } };
}

/** block_id: the position makes it unique even if two fingerprints shared a prefix; the prefix helps a reader of logs. */
function triageButtons(targetId: string, finding: ReportedFinding, index: number): ActionsBlock {
  const value = JSON.stringify({ t: targetId, f: finding.fingerprint } satisfies TriageRef);
  return {
    type: 'actions',
    block_id: `triage:${index}:${finding.fingerprint.slice(0, 16)}`,
    elements: [
      { type: 'button', action_id: TRIAGE_ACTIONS.acceptRisk, text: { type: 'plain_text', text: 'Accept risk' }, value },
      { type: 'button', action_id: TRIAGE_ACTIONS.falsePositive, text: { type: 'plain_text', text: 'False positive' }, value },
      { type: 'button', action_id: TRIAGE_ACTIONS.ticket, text: { type: 'plain_text', text: 'Ticket link' }, value },
    ],
  };
}

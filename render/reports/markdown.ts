import { compareFindings, SEVERITIES, type FindingSummary } from '../../domain/finding';
import type { ScanReport } from '../../domain/scan-report';
import { SCANNER_TOOLS } from './sarif';

/** Long enough to read in a PR comment, short enough to stay under Slack's message limit. */
export const DEFAULT_MAX_ROWS = 20;

export interface MarkdownOptions {
  /** Rows per table before the rest collapses into "… and N more". */
  maxRows?: number;
}

/**
 * A summary for a Slack message or a PR comment: what changed since the last scan comes
 * first, because that is what a reader can act on.
 */
export function renderMarkdown(report: ScanReport, options: MarkdownOptions = {}): string {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const byStatus = (status: 'new' | 'persisting') => report.findings.filter((f) => f.status === status).sort(compareFindings);
  const { target, diff } = report;
  const lines = [
    `## DAST scan of ${escapeMarkdown(target.id)}: ${report.verdict.toUpperCase()}`,
    '',
    `Target: ${escapeMarkdown(target.url)} · engine: ${SCANNER_TOOLS[target.engine].name} · profile: ${escapeMarkdown(target.profile)} · scan: ${escapeMarkdown(report.scanId)}`,
    `Scanned: ${escapeMarkdown(report.startedAt)} → ${escapeMarkdown(report.finishedAt)}`,
    '',
    `**Severity:** ${[...SEVERITIES].reverse().map((s) => `${s} ${report.counts[s]}`).join(' · ')}`,
    `**Since last scan:** new ${diff.new} · fixed ${diff.fixed} · persisting ${diff.persisting} · suppressed ${diff.suppressed}`,
    ...section('New', byStatus('new'), maxRows),
    ...section('Persisting', byStatus('persisting'), maxRows),
    ...section('Fixed', [...report.fixed].sort(compareFindings), maxRows),
  ];
  return `${lines.join('\n')}\n`;
}

function section(heading: string, findings: FindingSummary[], maxRows: number): string[] {
  const lines = ['', `### ${heading} (${findings.length})`, ''];
  if (findings.length === 0) return [...lines, 'None.'];
  const shown = findings.slice(0, maxRows);
  lines.push('| Severity | Title | Location | Parameter |', '| --- | --- | --- | --- |');
  for (const f of shown) {
    lines.push(`| ${f.severity} | ${escapeMarkdown(f.title)} | ${escapeMarkdown(`${f.method} ${f.url}`)} | ${escapeMarkdown(f.parameter ?? '')} |`);
  }
  if (findings.length > shown.length) lines.push('', `… and ${findings.length - shown.length} more`);
  return lines;
}

/**
 * Scanner text is attacker-influenced (page titles, parameters): backslash-escape every
 * character that could close a table cell, open a code span, or make a link, image or
 * HTML tag, and fold newlines so one finding stays one row.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(/[\\`|*_[\]<>!~#]/g, (c) => `\\${c}`);
}

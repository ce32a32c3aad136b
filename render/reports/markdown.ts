import { compareFindings, SEVERITIES, type FindingSummary } from '../../domain/finding';
import type { NotRetestedFinding, ScanReport } from '../../domain/scan-report';
import { SCANNER_TOOLS } from './sarif';
import { scanQualityFacts } from './scan-quality';

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
    `**Since last scan:** new ${diff.new} · fixed ${diff.fixed} · persisting ${diff.persisting} · suppressed ${diff.suppressed} · not re-tested ${diff.notRetested}`,
    ...qualitySection(report),
    ...section('New', byStatus('new'), maxRows),
    ...section('Persisting', byStatus('persisting'), maxRows),
    ...section('Fixed', [...report.fixed].sort(compareFindings), maxRows),
    ...section('Not re-tested (still open)', [...report.notRetested].sort(compareFindings), maxRows),
  ];
  return `${lines.join('\n')}\n`;
}

/** What the scan covered: the reader's measure of how much "fixed" and "no findings" mean. */
function qualitySection(report: ScanReport): string[] {
  const lines = ['', '### Scan quality', ''];
  if (!report.scanQuality) return [...lines, 'Not recorded for this scan: no finding it did not see counts as fixed.'];
  const scanner = report.scanner ? [`Scanner: ${escapeMarkdown(report.scanner.image)}${report.scanner.version ? ` (version ${escapeMarkdown(report.scanner.version)})` : ''}`] : [];
  return [...lines, ...scanQualityFacts(report.scanQuality, report.target.engine).map(([label, value]) => `- ${label}: ${escapeMarkdown(value)}`), ...scanner.map((line) => `- ${line}`)];
}

/** A not re-tested finding says why, in a column of its own. */
function section(heading: string, findings: (FindingSummary | NotRetestedFinding)[], maxRows: number): string[] {
  const lines = ['', `### ${heading} (${findings.length})`, ''];
  if (findings.length === 0) return [...lines, 'None.'];
  const shown = findings.slice(0, maxRows);
  const why = shown.some((f) => 'reason' in f && f.reason !== undefined);
  lines.push(`| Severity | Title | Location | Parameter |${why ? ' Why not re-tested |' : ''}`, `| --- | --- | --- | --- |${why ? ' --- |' : ''}`);
  for (const f of shown) {
    const reason = why ? ` ${escapeMarkdown(('reason' in f && f.reason) || '')} |` : '';
    lines.push(`| ${f.severity} | ${escapeMarkdown(f.title)} | ${escapeMarkdown(`${f.method} ${f.url}${f.systemic ? ' (systemic: the whole site)' : ''}`)} | ${escapeMarkdown(f.parameter ?? '')} |${reason}`);
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

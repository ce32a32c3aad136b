import { compareFindings, SEVERITIES, type FindingSummary, type Severity } from '../../domain/finding';
import type { FindingStatus, NotRetestedFinding, ReportedFinding, ScanReport, Suppression } from '../../domain/scan-report';
import { SCANNER_TOOLS } from './sarif';
import { scanQualityFacts } from './scan-quality';

/**
 * A self-contained HTML report: inline CSS, no scripts, no external resources, so it
 * opens the same from an artifact store, a mail attachment or an air-gapped laptop.
 *
 * Everything from the scanner goes through `escapeHtml`: evidence is, by design, the
 * attack that worked. The CSP meta tag is a second wall should an escape ever be missed.
 */
export function renderHtml(report: ScanReport): string {
  const { target } = report;
  const sections: [string, FindingStatus][] = [['New since last scan', 'new'], ['Persisting', 'persisting'], ['Suppressed', 'suppressed']];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DAST report: ${escapeHtml(target.id)}</title>
<style>${STYLE}</style>
</head>
<body>
${header(report)}
${sections.map(([title, status]) => findingSection(title, status, report.findings.filter((f) => f.status === status))).join('\n')}
${fixedSection(report.fixed)}
${notRetestedSection(report.notRetested)}
</body>
</html>
`;
}

function header(report: ScanReport): string {
  const { target, counts, diff } = report;
  const severities = [...SEVERITIES].reverse();
  return `<header>
<h1>DAST scan of ${escapeHtml(target.id)} <span class="verdict verdict-${report.verdict}">${report.verdict.toUpperCase()}</span></h1>
<dl class="facts">
<dt>Target</dt><dd><code>${escapeHtml(target.url)}</code></dd>
<dt>Scanner</dt><dd>${escapeHtml(SCANNER_TOOLS[target.engine].name)}, profile ${escapeHtml(target.profile)}</dd>
<dt>Scan</dt><dd><code>${escapeHtml(report.scanId)}</code></dd>
<dt>Started</dt><dd>${escapeHtml(report.startedAt)}</dd>
<dt>Finished</dt><dd>${escapeHtml(report.finishedAt)}</dd>
${report.scanner ? `<dt>Scanner image</dt><dd><code>${escapeHtml(report.scanner.image)}</code>${report.scanner.version ? ` version ${escapeHtml(report.scanner.version)}` : ''}</dd>` : ''}
</dl>
<table class="counts"><caption>Findings by severity</caption>
<tr>${severities.map((s) => `<th scope="col">${s}</th>`).join('')}</tr>
<tr>${severities.map((s) => `<td class="sev-${s}">${counts[s]}</td>`).join('')}</tr>
</table>
<table class="counts"><caption>Since last scan</caption>
<tr><th scope="col">new</th><th scope="col">fixed</th><th scope="col">persisting</th><th scope="col">suppressed</th><th scope="col">not re-tested</th></tr>
<tr><td>${diff.new}</td><td>${diff.fixed}</td><td>${diff.persisting}</td><td>${diff.suppressed}</td><td>${diff.notRetested}</td></tr>
</table>
${qualitySection(report)}
</header>`;
}

/** What the scan covered: how much its "fixed" and its silence are worth. */
function qualitySection(report: ScanReport): string {
  const body = report.scanQuality
    ? `<dl class="facts">${scanQualityFacts(report.scanQuality, report.target.engine).map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`
    : '<p class="none">Not recorded for this scan: no finding it did not see counts as fixed.</p>';
  return `<section id="scan-quality">
<h2>Scan quality</h2>
${body}
</section>`;
}

function findingSection(title: string, status: FindingStatus, findings: ReportedFinding[]): string {
  const body = findings.length === 0 ? '<p class="none">None.</p>' : [...findings].sort(compareFindings).map(findingArticle).join('\n');
  return `<section id="${status}">
<h2>${title} (${findings.length})</h2>
${body}
</section>`;
}

function findingArticle(f: ReportedFinding): string {
  const facts: [string, string][] = [
    ['URL', `<code>${escapeHtml(f.url)}</code>`],
    ['Method', escapeHtml(f.method)],
    ...(f.parameter === undefined ? [] : [['Parameter', `<code>${escapeHtml(f.parameter)}</code>`] as [string, string]]),
    ...(f.cwe === undefined ? [] : [['CWE', cweLink(f.cwe)] as [string, string]]),
    ['Confidence', escapeHtml(f.confidence)],
    ['First seen', escapeHtml(f.firstSeen)],
    ['Instances', f.systemic ? `${f.instances.length} example URL${f.instances.length === 1 ? '' : 's'} of one systemic issue across the site` : String(f.instances.length)],
    ['Rule', `${escapeHtml(f.engine)} ${escapeHtml(f.ruleId)} (${escapeHtml(f.action)})`],
    ...(f.suppression === undefined ? [] : [['Suppression', suppressionText(f.suppression)] as [string, string]]),
    ...(f.ticketUrl === undefined ? [] : [['Ticket', link(f.ticketUrl)] as [string, string]]),
  ];
  return `<article class="finding">
<h3>${severityBadge(f.severity)} ${escapeHtml(f.title)}</h3>
<dl>${facts.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl>
${f.description === undefined ? '' : `<h4>Description</h4>\n<p>${escapeHtml(f.description)}</p>`}
${f.evidence === undefined ? '' : `<h4>Evidence</h4>\n<pre>${escapeHtml(f.evidence)}</pre>`}
${f.solution === undefined ? '' : `<h4>Solution</h4>\n<p>${escapeHtml(f.solution)}</p>`}
${f.references.length === 0 ? '' : `<h4>References</h4>\n<ul>${f.references.map((r) => `<li>${link(r)}</li>`).join('')}</ul>`}
</article>`;
}

function fixedSection(fixed: FindingSummary[]): string {
  const rows = [...fixed].sort(compareFindings).map((f) =>
    `<tr><td>${severityBadge(f.severity)}</td><td>${escapeHtml(f.title)}</td><td><code>${escapeHtml(`${f.method} ${f.url}`)}</code></td><td>${escapeHtml(f.parameter ?? '')}</td></tr>`);
  const body = rows.length === 0
    ? '<p class="none">None.</p>'
    : `<table class="fixed"><tr><th scope="col">Severity</th><th scope="col">Title</th><th scope="col">Location</th><th scope="col">Parameter</th></tr>\n${rows.join('\n')}\n</table>`;
  return `<section id="fixed">
<h2>Fixed since last scan (${fixed.length})</h2>
${body}
</section>`;
}

function notRetestedSection(findings: NotRetestedFinding[]): string {
  const rows = [...findings].sort(compareFindings).map((f) =>
    `<tr><td>${severityBadge(f.severity)}</td><td>${escapeHtml(f.title)}</td><td><code>${escapeHtml(`${f.method} ${f.url}`)}</code></td><td>${escapeHtml(f.parameter ?? '')}</td><td>${escapeHtml(f.reason ?? '')}</td></tr>`);
  const body = rows.length === 0
    ? '<p class="none">None.</p>'
    : `<p>Still open: this scan did not see them, but could not show them fixed either.</p>
<table class="fixed"><tr><th scope="col">Severity</th><th scope="col">Title</th><th scope="col">Location</th><th scope="col">Parameter</th><th scope="col">Why not re-tested</th></tr>\n${rows.join('\n')}\n</table>`;
  return `<section id="not-retested">
<h2>Not re-tested (${findings.length})</h2>
${body}
</section>`;
}

function severityBadge(severity: Severity): string {
  return `<span class="badge sev-${severity}">${severity}</span>`;
}

function cweLink(cwe: number): string {
  return `<a href="https://cwe.mitre.org/data/definitions/${cwe}.html">CWE-${cwe}</a>`;
}

function suppressionText(s: Suppression): string {
  const kind = s.kind === 'accepted-risk' ? 'Accepted risk' : 'False positive';
  const expiry = s.expiresAt === undefined ? '' : `, expires ${escapeHtml(s.expiresAt)}`;
  return `${kind}: ${escapeHtml(s.reason)} (decided by ${escapeHtml(s.decidedBy)}${expiry})`;
}

/** Only http(s) becomes a link: a scanner's "reference" may be `javascript:`. */
function link(value: string): string {
  return /^https?:\/\//i.test(value) ? `<a href="${escapeHtml(value)}" rel="noreferrer">${escapeHtml(value)}</a>` : escapeHtml(value);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in text and in quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1f2328;line-height:1.45}
h1{font-size:1.6rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2.5rem}h3{font-size:1.1rem;margin:0 0 .5rem}h4{margin:.8rem 0 .2rem;font-size:.95rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.6rem;white-space:pre-wrap;word-break:break-all}
p{white-space:pre-wrap}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.4rem 0}dt{font-weight:600}dd{margin:0;word-break:break-all}
table{border-collapse:collapse;margin:1rem 1rem 0 0;display:inline-table}caption{text-align:left;font-weight:600;padding-bottom:.3rem}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left}td{font-variant-numeric:tabular-nums}
.finding{border:1px solid #d0d7de;border-radius:6px;padding:1rem;margin:1rem 0}
.badge,.verdict{display:inline-block;border-radius:1rem;padding:.05rem .6rem;font-size:.8rem;font-weight:600;color:#fff;vertical-align:middle}
.sev-critical{background:#8b0000;color:#fff}.sev-high{background:#d1242f;color:#fff}.sev-medium{background:#bc4c00;color:#fff}.sev-low{background:#9a6700;color:#fff}.sev-info{background:#57606a;color:#fff}
.verdict-fail{background:#d1242f}.verdict-warn{background:#bc4c00}.verdict-pass{background:#1a7f37}
.none{color:#57606a}
`;

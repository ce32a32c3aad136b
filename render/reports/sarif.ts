import { compareFindings, CONFIDENCES, type Confidence, type Engine, type FindingSummary, type Severity } from '../../domain/finding';
import type { NotRetestedFinding, ReportedFinding, ScanReport } from '../../domain/scan-report';

/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. One run per scan; the
 * output depends on the report alone, so the same scan always renders to the same bytes.
 * Results: every finding this scan saw (suppressed ones with a suppression) and every open
 * finding it could not re-test: a viewer closes an alert missing from an upload, and a
 * finding not re-tested is not fixed.
 */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/**
 * The one key of every result's `partialFingerprints`; its value is the finding's
 * fingerprint (domain/fingerprint.ts): SHA-256, in hex, of engine, rule id, location
 * (origin and path, lowercased origin, default port dropped, ids folded to {id}, no query
 * or fragment) and parameter (for a header, cookie flag or CSP directive, its name:
 * domain/weakness-split.ts), joined by NUL. Payloads, evidence, timings and instance counts
 * never enter it, so the same weakness at the same place has the same value in every scan,
 * and GitHub keeps one alert for it across uploads (its own primaryLocationLineHash needs a
 * source file, which a URL is not). A change of recipe takes a new key (`/v2`), so results
 * of two recipes never match by accident.
 */
export const FINGERPRINT_KEY = 'secopsFingerprint/v1';

export interface SarifOptions {
  /** The scanner's version, for a report that does not record the scanner it ran with. */
  toolVersion?: string;
}

type Level = 'error' | 'warning' | 'note';

/** How each engine names itself; the other renderers show the same names. */
export const SCANNER_TOOLS: Record<Engine, { name: string; informationUri: string }> = {
  zap: { name: 'OWASP ZAP', informationUri: 'https://www.zaproxy.org/' },
  wapiti: { name: 'Wapiti', informationUri: 'https://wapiti-scanner.github.io/' },
};

const LEVELS: Record<Severity, Level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/** GitHub maps > 9.0 to critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low, 0.0 none. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/** GitHub's precision scale, from how sure the scanner was. */
const PRECISION: Record<Confidence, string> = { confirmed: 'very-high', high: 'high', medium: 'medium', low: 'low', 'false-positive': 'low' };

/** GitHub limits rule descriptions to 1024 characters. */
const DESCRIPTION_LIMIT = 1024;

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export function renderSarif(report: ScanReport, options: SarifOptions = {}): string {
  const findings = [...report.findings].sort(byPlaceThenFingerprint);
  const notRetested = [...(report.notRetested ?? [])].sort(byPlaceThenFingerprint);
  const rules = rulesOf(findings, notRetested);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { ...driverOf(report, options), rules } },
        // GitHub takes everything before the last slash as the analysis category.
        automationDetails: { id: `dast/${report.target.id}/${report.scanId}` },
        invocations: [{ executionSuccessful: true, startTimeUtc: report.startedAt, endTimeUtc: report.finishedAt }],
        results: [
          ...findings.map((f) => resultOf(f, ruleIndex.get(f.ruleId) ?? 0, report.startedAt)),
          ...notRetested.map((f) => notRetestedResultOf(f, ruleIndex.get(f.ruleId) ?? 0)),
        ],
        properties: {
          targetUrl: report.target.url,
          profile: report.target.profile,
          verdict: report.verdict,
          diff: report.diff,
          ...(report.scanQuality === undefined ? {} : { scanQuality: scanQualityOf(report.scanQuality) }),
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function byPlaceThenFingerprint(a: FindingSummary, b: FindingSummary): number {
  return compareFindings(a, b) || compareText(a.fingerprint, b.fingerprint);
}

/** The scanner as the scan ran it: its version from its own output, the image it ran from. */
function driverOf(report: ScanReport, options: SarifOptions) {
  const toolVersion = report.scanner?.version ?? options.toolVersion;
  return {
    ...SCANNER_TOOLS[report.target.engine],
    ...(toolVersion === undefined ? {} : SEMVER.test(toolVersion) ? { version: toolVersion, semanticVersion: toolVersion } : { version: toolVersion }),
    ...(report.scanner === undefined ? {} : { properties: { image: report.scanner.image } }),
  };
}

/** The documented figures only, in a fixed order: the same scan renders to the same bytes. */
function scanQualityOf(q: NonNullable<ScanReport['scanQuality']>) {
  return {
    targetAnswered: q.targetAnswered,
    urlsCrawled: q.urlsCrawled,
    requestsSent: q.requestsSent,
    requestsFailed: q.requestsFailed,
    modulesRun: [...q.modulesRun].sort(compareText),
    modulesFinished: [...q.modulesFinished].sort(compareText),
    durationSeconds: q.durationSeconds,
    source: q.source,
  };
}

type Described = FindingSummary & Partial<Pick<ReportedFinding, 'description' | 'solution' | 'references'>>;

/**
 * One rule per ruleId, sorted by id, described by its most severe finding this scan saw
 * (a not re-tested finding has only its summary: it describes a rule only no seen one does).
 */
function rulesOf(findings: ReportedFinding[], notRetested: NotRetestedFinding[]) {
  const seenRules = new Set(findings.map((f) => f.ruleId));
  const byRule = new Map<string, Described[]>();
  for (const f of [...findings, ...notRetested.filter((n) => !seenRules.has(n.ruleId))]) {
    const group = byRule.get(f.ruleId) ?? [];
    group.push(f);
    byRule.set(f.ruleId, group);
  }
  return [...byRule.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([id, group]) => {
      const top = group.reduce((a, b) => (compareFindings(a, b) <= 0 ? a : b));
      const confidence = group.map((f) => f.confidence).reduce((a, b) => (CONFIDENCES.indexOf(a) >= CONFIDENCES.indexOf(b) ? a : b));
      const helpUri = (top.references ?? []).find(isAbsoluteUri);
      return {
        id,
        name: pascalCase(top.title),
        shortDescription: { text: clip(top.title) },
        fullDescription: { text: clip(top.description ?? top.title) },
        defaultConfiguration: { level: LEVELS[top.severity] },
        ...(helpUri === undefined ? {} : { helpUri }),
        help: helpOf(top),
        properties: {
          tags: ['security', ...(top.cwe === undefined ? [] : [cweTag(top.cwe)])],
          precision: PRECISION[confidence],
          'security-severity': SECURITY_SEVERITY[top.severity],
        },
      };
    });
}

/**
 * What GitHub shows under "Rule help" on an alert: what the weakness is, how to fix it,
 * where to read more. Only http(s) references: scanners put free text there.
 */
function helpOf(f: Described): { text: string; markdown: string } {
  const what = f.description ?? f.title;
  const solution = f.solution ?? 'The scanner gave no solution for this rule.';
  const references = (f.references ?? []).filter(isAbsoluteUri);
  const text = [what, '', `Solution: ${solution}`, ...(references.length > 0 ? ['', 'References:', ...references.map((r) => `- ${r}`)] : [])].join('\n');
  const markdown = [what, '', `**Solution.** ${solution}`, ...(references.length > 0 ? ['', '**References**', ...references.map((r) => `- <${r}>`)] : [])].join('\n');
  return { text, markdown };
}

function resultOf(f: ReportedFinding, ruleIndex: number, scanStartedAt: string) {
  const suppressions = suppressionsOf(f);
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVELS[f.severity],
    message: { text: messageOf(f) },
    locations: [{ physicalLocation: { artifactLocation: { uri: f.url } } }],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    baselineState: baselineStateOf(f, scanStartedAt),
    ...(suppressions.length > 0 ? { suppressions } : {}),
    properties: {
      method: f.method,
      ...(f.parameter === undefined ? {} : { parameter: f.parameter }),
      status: f.status,
      confidence: f.confidence,
      firstSeen: f.firstSeen,
      action: f.action,
      instanceCount: f.instances.length,
      ...(f.systemic ? { systemic: true } : {}),
      ...(f.ticketUrl === undefined ? {} : { ticketUrl: f.ticketUrl }),
    },
  };
}

/**
 * A finding open before this scan that the scan neither saw nor could show re-tested: still
 * open, so still a result (baseline unchanged), with why it was not re-tested.
 */
function notRetestedResultOf(f: NotRetestedFinding, ruleIndex: number) {
  const why = f.reason === undefined ? '' : ` (${f.reason})`;
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVELS[f.severity],
    message: { text: `${messageOf(f)} Not re-tested by this scan${why}: still open.` },
    locations: [{ physicalLocation: { artifactLocation: { uri: f.url } } }],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    baselineState: 'unchanged',
    properties: {
      method: f.method,
      ...(f.parameter === undefined ? {} : { parameter: f.parameter }),
      status: 'not-retested',
      confidence: f.confidence,
      ...(f.systemic ? { systemic: true } : {}),
      ...(f.reason === undefined ? {} : { reason: f.reason }),
    },
  };
}

function messageOf(f: FindingSummary): string {
  const parameter = f.parameter === undefined ? '' : ` (parameter "${f.parameter}")`;
  return `${f.title} at ${f.method} ${f.url}${parameter}.`;
}

/**
 * A suppressed finding's status says only that it is suppressed; whether the baseline
 * had it shows in firstSeen: seen before this scan started means it was there already.
 */
function baselineStateOf(f: ReportedFinding, scanStartedAt: string): 'new' | 'unchanged' {
  if (f.status === 'new') return 'new';
  if (f.status === 'persisting') return 'unchanged';
  return Date.parse(f.firstSeen) < Date.parse(scanStartedAt) ? 'unchanged' : 'new';
}

/**
 * Triage decisions and IGNORE rules live outside the scanned app, hence kind "external";
 * viewers (GitHub included) then show the result as dismissed rather than dropping it.
 */
function suppressionsOf(f: ReportedFinding) {
  if (f.suppression !== undefined) {
    const { kind, reason, decidedBy, expiresAt } = f.suppression;
    const label = kind === 'accepted-risk' ? 'Accepted risk' : 'False positive';
    const expiry = expiresAt === undefined ? '' : `, expires ${expiresAt}`;
    return [{
      kind: 'external',
      status: 'accepted',
      justification: `${label}: ${reason} (decided by ${decidedBy}${expiry})`,
      properties: { suppressionKind: kind, decidedBy, ...(expiresAt === undefined ? {} : { expiresAt }) },
    }];
  }
  if (f.status === 'suppressed') return [{ kind: 'external', status: 'accepted', justification: 'Suppressed by triage.' }];
  if (f.action === 'IGNORE') return [{ kind: 'external', status: 'accepted', justification: 'Rule set to IGNORE in the rules file.' }];
  return [];
}

/** CodeQL's convention, which GitHub's CWE filters read: at least three digits. */
function cweTag(cwe: number): string {
  return `external/cwe/cwe-${String(cwe).padStart(3, '0')}`;
}

/** SARIF suggests a rule name be one Pascal-case identifier, e.g. "CrossSiteScriptingReflected". */
function pascalCase(title: string): string {
  const name = title.split(/[^0-9A-Za-z]+/).filter((w) => w.length > 0).map((w) => w[0]?.toUpperCase() + w.slice(1)).join('');
  return name.length > 0 ? name : 'UnnamedRule';
}

function clip(text: string): string {
  return text.length <= DESCRIPTION_LIMIT ? text : `${text.slice(0, DESCRIPTION_LIMIT - 1)}…`;
}

/** Scanners put free text in references; SARIF URIs must be absolute http(s) ones here. */
function isAbsoluteUri(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** Code-point order, not locale order, so output does not depend on the machine's ICU. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

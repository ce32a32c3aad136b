/**
 * One Finding model for every scanner. A finding is one weakness at one place (engine,
 * rule, normalized URL path, parameter); every time a scanner saw it is an instance. A
 * systemic finding is one weakness of a whole site: its place is the site (`siteWide`),
 * its instances the URLs the scanner listed as examples.
 */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** The severities a target's `incidentOn` may name (domain/finding-incident.ts): an informational finding never pages anyone. */
export const INCIDENT_ON = ['critical', 'high', 'medium', 'low'] as const satisfies readonly Severity[];
export type IncidentOn = (typeof INCIDENT_ON)[number];

export const CONFIDENCES = ['false-positive', 'low', 'medium', 'high', 'confirmed'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export const ENGINES = ['zap', 'wapiti'] as const;
export type Engine = (typeof ENGINES)[number];

export interface FindingInstance {
  url: string;
  method: string;
  parameter?: string;
  /** What the scanner saw in the response. */
  evidence?: string;
  /** The payload sent, if any. Never part of the fingerprint: scanners randomize it. */
  attack?: string;
}

export interface Finding {
  fingerprint: string;
  engine: Engine;
  ruleId: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  cwe?: number;
  /** The location: origin + path, no query string. */
  url: string;
  method: string;
  parameter?: string;
  description?: string;
  evidence?: string;
  solution?: string;
  references: string[];
  instances: FindingInstance[];
  /**
   * The scanner reported one issue across the site rather than at each URL (ZAP 2.15+
   * marks such alerts `"systemic": true`): one finding, `url` is `siteWide(origin)` and the
   * fingerprint is taken over it, so it holds whichever example URLs a run lists. Absent,
   * never false, on every other finding, so their stored JSON is unchanged.
   */
  systemic?: true;
}

/** What a diff and a "fixed" list need of a finding: no instances, no prose. */
export type FindingSummary = Pick<Finding, 'fingerprint' | 'engine' | 'ruleId' | 'title' | 'severity' | 'confidence' | 'cwe' | 'url' | 'method' | 'parameter' | 'systemic'>;

/** The whole site at `url`'s origin, as a location: `https://shop.example/*`. */
export function siteWide(url: string): string {
  return URL.canParse(url) ? `${new URL(url).origin}/*` : `${url.split(/[?#]/)[0] ?? url}/*`;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

// The order of String#localeCompare, from one collator: localeCompare looks its collator up
// on every call, which made sorting half a million findings take seconds.
const collate = new Intl.Collator().compare;

/** Most severe first, then by rule and location, so reports and diffs are stable. */
export function compareFindings(a: FindingSummary, b: FindingSummary): number {
  return severityRank(b.severity) - severityRank(a.severity) || collate(a.ruleId, b.ruleId) || collate(a.url, b.url) || collate(a.parameter ?? '', b.parameter ?? '');
}

export type SeverityCounts = Record<Severity, number>;

export function countBySeverity(findings: Pick<Finding, 'severity'>[]): SeverityCounts {
  const counts: SeverityCounts = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

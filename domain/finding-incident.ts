import type { DastScanInput } from './dast';
import { severityRank, type IncidentOn, type Severity } from './finding';
import type { IncidentSeverity } from './incident';
import type { ReportedFinding, ScanReport } from './scan-report';

/**
 * At most this many incidents from one scan, most severe first. A first scan of a neglected
 * target can report dozens of new criticals; dozens of incident channels would bury them.
 * The rest stay in the scan's report and its Slack summary, and the scan's result counts them.
 */
export const MAX_INCIDENTS_PER_SCAN = 5;

export interface IncidentWorthyFinding {
  fingerprint: string;
  title: string;
  severity: Severity;
  url: string;
}

/**
 * The findings this scan saw for the first time at or above the threshold, most severe first.
 * Suppressed findings (accepted risk, false positive) and findings the target's rules file
 * IGNOREs do not open incidents: someone already decided about them.
 */
export function incidentWorthyFindings(report: Pick<ScanReport, 'findings'>, atLeast: IncidentOn): { findings: IncidentWorthyFinding[]; more: number } {
  const worthy = report.findings
    .filter((f) => f.status === 'new' && !f.suppression && f.action !== 'IGNORE' && severityRank(f.severity) >= severityRank(atLeast))
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return { findings: worthy.slice(0, MAX_INCIDENTS_PER_SCAN).map(summary), more: Math.max(0, worthy.length - MAX_INCIDENTS_PER_SCAN) };
}

/** A critical finding on a live target is a SEV1, a high one SEV2, and so on down. */
export function incidentSeverityOf(severity: Severity): IncidentSeverity {
  const bySeverity: Record<Severity, IncidentSeverity> = { critical: 'SEV1', high: 'SEV2', medium: 'SEV3', low: 'SEV4', info: 'SEV4' };
  return bySeverity[severity];
}

export function findingIncidentTitle(finding: Pick<IncidentWorthyFinding, 'title'>, targetId: string): string {
  return `${finding.title.slice(0, 120)} on ${targetId}`;
}

function summary(finding: ReportedFinding): IncidentWorthyFinding {
  return { fingerprint: finding.fingerprint, title: finding.title, severity: finding.severity, url: finding.url };
}

/**
 * The scan an `exposed-vulnerability` incident re-tests with: the target's own scan, except
 * that it opens no incidents (its finding already has one; a re-test must not fan out).
 */
export function retestScanOf(scan: DastScanInput): DastScanInput {
  const retest = { ...scan };
  delete retest.findingIncidents;
  return retest;
}

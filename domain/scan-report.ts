import type { Engine, Finding, FindingSummary, SeverityCounts } from './finding';

/** Where a current finding stands against the last completed scan of the same target. */
export type FindingStatus = 'new' | 'persisting' | 'suppressed';

/** ZAP's rules-file actions, applied per rule after triage suppressions. */
export type RuleAction = 'IGNORE' | 'INFO' | 'WARN' | 'FAIL';
export type Verdict = 'pass' | 'warn' | 'fail';

export interface Suppression {
  kind: 'accepted-risk' | 'false-positive';
  reason: string;
  decidedBy: string;
  /** Accepted risks expire; false positives do not. ISO 8601. */
  expiresAt?: string;
}

export interface ReportedFinding extends Finding {
  status: FindingStatus;
  /** ISO 8601: the first completed scan of this target that saw it. */
  firstSeen: string;
  suppression?: Suppression;
  ticketUrl?: string;
  /** The rules-file action for its rule (WARN when the rules file is silent). */
  action: RuleAction;
}

export interface ScanReport {
  scanId: string;
  target: { id: string; url: string; engine: Engine; profile: string };
  startedAt: string;
  finishedAt: string;
  /** Everything this scan saw, new first, then by severity. */
  findings: ReportedFinding[];
  /** Seen by the baseline scan, not by this one. */
  fixed: FindingSummary[];
  /** Severity counts of what this scan saw, suppressed and IGNOREd findings left out. */
  counts: SeverityCounts;
  diff: { new: number; fixed: number; persisting: number; suppressed: number };
  verdict: Verdict;
}

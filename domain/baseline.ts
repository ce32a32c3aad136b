import { compareFindings, countBySeverity, type Finding, type FindingSummary, type Severity } from './finding';
import type { ReportedFinding, RuleAction, ScanReport, Verdict } from './scan-report';
import { ruleAction, type ScanRules } from './scan-rules';
import { suppresses, type TriageDecision } from './triage';

export interface BaselineInput {
  current: Finding[];
  /** What the last completed scan of the same target saw; empty for the first scan. */
  baseline: FindingSummary[];
  triage: TriageDecision[];
  rules: ScanRules;
  /** The target's threshold: an open finding at or above it FAILs unless the rules file says otherwise. */
  failOn: Severity;
  /** When each known fingerprint was first seen (ISO 8601); new ones get `now`. */
  firstSeen: ReadonlyMap<string, string>;
  now: Date;
}

export type BaselineResult = Pick<ScanReport, 'findings' | 'fixed' | 'counts' | 'diff' | 'verdict'>;

/**
 * Classifies this scan's findings against the baseline (new / persisting / suppressed,
 * and fixed for the baseline's that are gone), then reaches the verdict from what is left
 * open: suppressed findings never count (a person decided about them, and the decision is
 * audited), IGNOREd rules neither. New and persisting findings count alike: a critical flaw
 * seen last week is as exploitable today, and the way to let it pass is a triage decision
 * (accepted risk with an expiry, or false positive), not waiting one scan.
 */
export function compareWithBaseline(input: BaselineInput): BaselineResult {
  const baselineFingerprints = new Set(input.baseline.map((f) => f.fingerprint));
  const currentFingerprints = new Set(input.current.map((f) => f.fingerprint));
  const decisions = groupByFingerprint(input.triage);
  const nowIso = input.now.toISOString();

  const findings: ReportedFinding[] = input.current.map((finding) => {
    const own = decisions.get(finding.fingerprint) ?? [];
    const suppressing = own.find((d) => suppresses(d, input.now));
    const ticket = own.find((d) => d.kind === 'ticket');
    return {
      ...finding,
      status: suppressing ? 'suppressed' : baselineFingerprints.has(finding.fingerprint) ? 'persisting' : 'new',
      firstSeen: input.firstSeen.get(finding.fingerprint) ?? nowIso,
      action: ruleAction(input.rules, finding, input.failOn),
      ...(suppressing && {
        suppression: { kind: suppressing.kind as 'accepted-risk' | 'false-positive', reason: suppressing.reason ?? '', decidedBy: suppressing.decidedBy, ...(suppressing.expiresAt && { expiresAt: suppressing.expiresAt }) },
      }),
      ...(ticket?.ticketUrl && { ticketUrl: ticket.ticketUrl }),
    };
  });
  findings.sort((a, b) => Number(b.status === 'new') - Number(a.status === 'new') || compareFindings(a, b));

  const active = findings.filter((f) => f.status !== 'suppressed' && f.action !== 'IGNORE');
  const fixed = input.baseline.filter((f) => !currentFingerprints.has(f.fingerprint)).sort(compareFindings);
  return {
    findings,
    fixed,
    counts: countBySeverity(active),
    diff: {
      new: findings.filter((f) => f.status === 'new').length,
      persisting: findings.filter((f) => f.status === 'persisting').length,
      suppressed: findings.filter((f) => f.status === 'suppressed').length,
      fixed: fixed.length,
    },
    verdict: verdictOf(active.map((f) => f.action)),
  };
}

function verdictOf(actions: RuleAction[]): Verdict {
  if (actions.includes('FAIL')) return 'fail';
  if (actions.includes('WARN')) return 'warn';
  return 'pass';
}

function groupByFingerprint(decisions: TriageDecision[]): Map<string, TriageDecision[]> {
  const grouped = new Map<string, TriageDecision[]>();
  for (const decision of decisions) grouped.set(decision.fingerprint, [...(grouped.get(decision.fingerprint) ?? []), decision]);
  return grouped;
}

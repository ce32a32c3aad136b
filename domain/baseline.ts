import { notRetestedReason, retestIndex, type ScanCoverage } from './coverage';
import { compareFindings, countBySeverity, type Finding, type FindingSummary, type Severity } from './finding';
import type { NotRetestedFinding, ReportedFinding, RuleAction, ScanReport, Verdict } from './scan-report';
import { ruleAction, type ScanRules } from './scan-rules';
import { suppresses, type TriageDecision } from './triage';

export interface BaselineInput {
  current: Finding[];
  /** The target's open findings before this scan (as last seen); empty for the first scan. */
  baseline: FindingSummary[];
  /** What this scan covered; without it no finding can be shown re-tested, so none is fixed. */
  coverage?: ScanCoverage;
  triage: TriageDecision[];
  rules: ScanRules;
  /** The target's threshold: an open finding at or above it FAILs unless the rules file says otherwise. */
  failOn: Severity;
  /** When each known fingerprint was first seen (ISO 8601); new ones get `now`. */
  firstSeen: ReadonlyMap<string, string>;
  now: Date;
}

export type BaselineResult = Pick<ScanReport, 'findings' | 'fixed' | 'notRetested' | 'counts' | 'diff' | 'verdict'>;

/**
 * Classifies this scan's findings against the baseline (new / persisting / suppressed), and
 * the baseline's that are gone as fixed when this scan demonstrably re-tested them
 * (coverage.ts) or as not re-tested otherwise, then reaches the verdict from what is left
 * open: suppressed findings never count (a person decided about them, and the decision is
 * audited), IGNOREd rules neither. New and persisting findings count alike: a critical flaw
 * seen last week is as exploitable today, and the way to let it pass is a triage decision
 * (accepted risk with an expiry, or false positive), not waiting one scan. Not re-tested
 * findings count too: they are still open, and a route that stopped answering must not
 * let a known flaw pass the gate.
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
    // Object.assign, not a spread of `finding`: on Node 20 the spread builds each object the
    // slow way, which at a million findings doubled the diff's time and memory (bench/findings-pipeline).
    const reported: ReportedFinding = Object.assign({}, finding, {
      status: suppressing ? 'suppressed' as const : baselineFingerprints.has(finding.fingerprint) ? 'persisting' as const : 'new' as const,
      firstSeen: input.firstSeen.get(finding.fingerprint) ?? nowIso,
      action: ruleAction(input.rules, finding, input.failOn),
    });
    if (suppressing) {
      reported.suppression = { kind: suppressing.kind as 'accepted-risk' | 'false-positive', reason: suppressing.reason ?? '', decidedBy: suppressing.decidedBy, ...(suppressing.expiresAt && { expiresAt: suppressing.expiresAt }) };
    }
    if (ticket?.ticketUrl) reported.ticketUrl = ticket.ticketUrl;
    return reported;
  });
  findings.sort((a, b) => Number(b.status === 'new') - Number(a.status === 'new') || compareFindings(a, b));

  const active = findings.filter((f) => f.status !== 'suppressed' && f.action !== 'IGNORE');
  const index = input.coverage && retestIndex(input.coverage, input.current);
  const fixed: FindingSummary[] = [];
  const notRetested: NotRetestedFinding[] = [];
  for (const gone of input.baseline.filter((f) => !currentFingerprints.has(f.fingerprint)).sort(compareFindings)) {
    const reason = notRetestedReason(gone, index);
    if (reason === undefined) fixed.push(gone);
    else notRetested.push({ ...gone, reason });
  }
  const stillOpen = notRetested
    .filter((f) => !(decisions.get(f.fingerprint) ?? []).some((d) => suppresses(d, input.now)))
    .map((f) => ruleAction(input.rules, f, input.failOn))
    .filter((action) => action !== 'IGNORE');
  return {
    findings,
    fixed,
    notRetested,
    counts: countBySeverity(active),
    diff: {
      new: findings.filter((f) => f.status === 'new').length,
      persisting: findings.filter((f) => f.status === 'persisting').length,
      suppressed: findings.filter((f) => f.status === 'suppressed').length,
      fixed: fixed.length,
      notRetested: notRetested.length,
    },
    verdict: verdictOf([...active.map((f) => f.action), ...stillOpen]),
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

import { forEachLocation, notRetestedReason, retestIndex, type ScanCoverage } from './coverage';
import { normalizeLocation } from './fingerprint';
import { compareFindings, type Finding, type FindingSummary, type Severity, type SeverityCounts } from './finding';
import { groupBy } from './group-by';
import type { NotRetestedFinding, ReportedFinding, RuleAction, ScanReport, Verdict } from './scan-report';
import { ruleAction, type ScanRules } from './scan-rules';
import { suppresses, type TriageDecision } from './triage';

/** What the diff knows before this scan's findings arrive. */
export interface BaselineContext {
  /** The target's open findings before this scan (as last seen); empty for the first scan. */
  baseline: FindingSummary[];
  triage: TriageDecision[];
  rules: ScanRules;
  /** The target's threshold: an open finding at or above it FAILs unless the rules file says otherwise. */
  failOn: Severity;
  /** When each known fingerprint was first seen (ISO 8601); new ones get `now`. */
  firstSeen: ReadonlyMap<string, string>;
  now: Date;
}

export interface BaselineInput extends BaselineContext {
  current: Finding[];
  /** What this scan covered; without it no finding can be shown re-tested, so none is fixed. */
  coverage?: ScanCoverage;
}

export type BaselineResult = Pick<ScanReport, 'findings' | 'fixed' | 'notRetested' | 'counts' | 'diff' | 'verdict'>;
export type BaselineTotals = Omit<BaselineResult, 'findings'>;
/** What the diff adds to a finding to report it. */
export type Classification = Pick<ReportedFinding, 'status' | 'firstSeen' | 'action' | 'suppression' | 'ticketUrl'>;

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
  const diff = new BaselineDiff(input);
  const findings = input.current.map((finding) => diff.add(finding));
  findings.sort((a, b) => Number(b.status === 'new') - Number(a.status === 'new') || compareFindings(a, b));
  return { findings, ...diff.finish(input.coverage) };
}

/**
 * The same diff, one finding at a time, for a scan too large to hold: `add` each finding as
 * the report streams by (each fingerprint once) and let it go on to the store; `finish`
 * then judges the baseline's findings the scan did not report. It keeps the baseline and
 * this scan's fingerprints, never this scan's findings.
 */
export class BaselineDiff {
  /** Each baseline fingerprint's position in the baseline, and whether this scan reported it. */
  private readonly baselineIndex = new Map<string, number>();
  private readonly reported: Uint8Array;
  /** This scan's fingerprints the baseline lacks (the baseline's are in `reported`). */
  private readonly newFingerprints = new Set<string>();
  /**
   * The baseline's locations (a Finding's url is normalized already, finding.ts), each
   * marked once this scan's findings show it reached: the only reach `finish` asks about.
   */
  private readonly baselineLocations = new Map<string, boolean>();
  private readonly decisions: ReadonlyMap<string, TriageDecision[]>;
  private readonly nowIso: string;
  private readonly counts: SeverityCounts = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };
  private readonly tally = { new: 0, persisting: 0, suppressed: 0 };
  private readonly actions = new Set<RuleAction>();

  constructor(private readonly context: BaselineContext) {
    context.baseline.forEach((finding, i) => {
      this.baselineIndex.set(finding.fingerprint, i);
      this.baselineLocations.set(finding.url, false);
    });
    this.reported = new Uint8Array(context.baseline.length);
    this.decisions = groupBy(context.triage, (decision) => decision.fingerprint);
    this.nowIso = context.now.toISOString();
  }

  /** The finding with how this diff classifies it, for the report. */
  add(finding: Finding): ReportedFinding {
    const classified = this.classify(finding);
    if (!classified) throw new Error(`finding ${finding.fingerprint} was added twice`);
    // Object.assign, not a spread of `finding`: on Node 20 the spread builds each object the
    // slow way, which at a million findings doubled the diff's time and memory (bench/findings-pipeline).
    return Object.assign({}, finding, classified);
  }

  /**
   * Counts a finding in and says how it is classified. Undefined for a fingerprint this scan
   * reported already (a later part of one finding, as ZAP lists variants of a rule): the
   * store merges the part into its row, and the finding is counted once.
   */
  classify(finding: Finding): Classification | undefined {
    const known = this.baselineIndex.get(finding.fingerprint);
    if (known === undefined ? this.newFingerprints.has(finding.fingerprint) : this.reported[known] === 1) return undefined;
    if (known === undefined) this.newFingerprints.add(finding.fingerprint);
    else this.reported[known] = 1;
    forEachLocation(finding, (location) => {
      if (this.baselineLocations.get(location) === false) this.baselineLocations.set(location, true);
    });

    const own = this.decisions.get(finding.fingerprint);
    const suppressing = own?.find((d) => suppresses(d, this.context.now));
    const ticket = own?.find((d) => d.kind === 'ticket');
    const status = suppressing ? 'suppressed' as const : known !== undefined ? 'persisting' as const : 'new' as const;
    const classified: Classification = { status, firstSeen: this.context.firstSeen.get(finding.fingerprint) ?? this.nowIso, action: ruleAction(this.context.rules, finding, this.context.failOn) };
    if (suppressing) {
      classified.suppression = { kind: suppressing.kind as 'accepted-risk' | 'false-positive', reason: suppressing.reason ?? '', decidedBy: suppressing.decidedBy, ...(suppressing.expiresAt && { expiresAt: suppressing.expiresAt }) };
    }
    if (ticket?.ticketUrl) classified.ticketUrl = ticket.ticketUrl;

    this.tally[status] += 1;
    if (status !== 'suppressed' && classified.action !== 'IGNORE') {
      this.counts[finding.severity] += 1;
      this.actions.add(classified.action);
    }
    return classified;
  }

  /** The baseline's findings this scan did not report, fixed or not re-tested, and the totals. */
  finish(coverage: ScanCoverage | undefined): BaselineTotals {
    const gone = this.context.baseline.filter((_, i) => this.reported[i] === 0).sort(compareFindings);
    const index = coverage && retestIndex(coverage, this.reachedLocations(), new Set(gone.map((f) => normalizeLocation(f.url))));
    const fixed: FindingSummary[] = [];
    const notRetested: NotRetestedFinding[] = [];
    for (const finding of gone) {
      const reason = notRetestedReason(finding, index);
      if (reason === undefined) fixed.push(finding);
      else notRetested.push({ ...finding, reason });
    }
    const stillOpen = notRetested
      .filter((f) => !(this.decisions.get(f.fingerprint) ?? []).some((d) => suppresses(d, this.context.now)))
      .map((f) => ruleAction(this.context.rules, f, this.context.failOn))
      .filter((action) => action !== 'IGNORE');
    return {
      fixed,
      notRetested,
      counts: { ...this.counts },
      diff: { ...this.tally, fixed: fixed.length, notRetested: notRetested.length },
      verdict: verdictOf([...this.actions, ...stillOpen]),
    };
  }

  private *reachedLocations(): Iterable<string> {
    for (const [location, reached] of this.baselineLocations) if (reached) yield location;
  }
}

function verdictOf(actions: RuleAction[]): Verdict {
  if (actions.includes('FAIL')) return 'fail';
  if (actions.includes('WARN')) return 'warn';
  return 'pass';
}

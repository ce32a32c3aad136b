import { z } from 'zod';
import { CONFIDENCES, ENGINES, SEVERITIES, type Engine, type Finding, type FindingSummary, type SeverityCounts } from './finding';
import { ValidationError, problemsFromZod } from './validation-error';

/** Where a current finding stands against the last completed scan of the same target. */
export const FINDING_STATUSES = ['new', 'persisting', 'suppressed'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** ZAP's rules-file actions, applied per rule after triage suppressions. */
export const RULE_ACTIONS = ['IGNORE', 'INFO', 'WARN', 'FAIL'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];
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
  /**
   * What the finding does to the verdict: its rule's line in the rules file, else FAIL at or
   * above the target's `failOn` severity and WARN below it (see scan-rules.ts).
   */
  action: RuleAction;
}

/**
 * What one scan covered, read from the scanner's own outputs (activities/scanners/*-coverage.ts).
 * A finding the scan did not see becomes fixed only when these figures show it was re-tested
 * (domain/coverage.ts).
 */
export interface ScanQuality {
  targetAnswered: boolean;
  urlsCrawled: number;          // distinct URLs the crawler reached
  requestsSent: number;
  requestsFailed: number;
  modulesRun: string[];         // modules/rules that started
  modulesFinished: string[];    // modules/rules that ran to completion (not timed out / crashed)
  durationSeconds: number;
  /** where the figures come from, e.g. "wapiti report + log", "zap -J report", "imported report" */
  source: string;
}

/** A baseline finding this scan did not see and could not show it re-tested; `reason` says what was missing. */
export type NotRetestedFinding = FindingSummary & { reason?: string };

export interface ScanReport {
  scanId: string;
  target: { id: string; url: string; engine: Engine; profile: string };
  startedAt: string;
  finishedAt: string;
  /** Everything this scan saw, new first, then by severity. */
  findings: ReportedFinding[];
  /** Open before this scan, not seen by it, and demonstrably re-tested by it. */
  fixed: FindingSummary[];
  /**
   * Open before this scan and not seen by it, but not re-tested either (route not reached,
   * module not run or not finished, target down): still open, never counted as fixed.
   */
  notRetested: NotRetestedFinding[];
  /** Severity counts of what this scan saw, suppressed and IGNOREd findings left out. */
  counts: SeverityCounts;
  diff: { new: number; fixed: number; persisting: number; suppressed: number; notRetested: number };
  verdict: Verdict;
  /** What the scan covered; absent from reports written before it was recorded. */
  scanQuality?: ScanQuality;
  /** The scanner image actually used and its version if known. */
  scanner?: { image: string; version?: string };
}

const count = z.number().int().min(0);
const optionalText = z.string().optional();

const summaryShape = {
  fingerprint: z.string().min(1),
  engine: z.enum(ENGINES),
  ruleId: z.string().min(1),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  confidence: z.enum(CONFIDENCES),
  cwe: z.number().int().optional(),
  url: z.string(),
  method: z.string(),
  parameter: optionalText,
};

/** ScanQuality as it is checked wherever it crossed a process boundary (coverage file, store, report). */
export const scanQualitySchema = z.looseObject({
  targetAnswered: z.boolean(),
  urlsCrawled: count,
  requestsSent: count,
  requestsFailed: count,
  modulesRun: z.array(z.string()),
  modulesFinished: z.array(z.string()),
  durationSeconds: z.number().min(0),
  source: z.string(),
});

const reportedFindingSchema = z.looseObject({
  ...summaryShape,
  description: optionalText,
  evidence: optionalText,
  solution: optionalText,
  references: z.array(z.string()),
  instances: z.array(z.looseObject({ url: z.string(), method: z.string(), parameter: optionalText, evidence: optionalText, attack: optionalText })),
  status: z.enum(FINDING_STATUSES),
  firstSeen: z.string(),
  suppression: z.looseObject({ kind: z.enum(['accepted-risk', 'false-positive']), reason: z.string(), decidedBy: z.string(), expiresAt: optionalText }).optional(),
  ticketUrl: optionalText,
  action: z.enum(RULE_ACTIONS),
});

/**
 * The scan report as compareWithBaseline writes it and the reports render it (JSON report
 * included). Loose objects: what the readers rely on is checked, anything else is kept as written.
 */
const scanReportSchema: z.ZodType<ScanReport> = z.looseObject({
  scanId: z.string().min(1),
  target: z.looseObject({ id: z.string().min(1), url: z.string(), engine: z.enum(ENGINES), profile: z.string() }),
  startedAt: z.string(),
  finishedAt: z.string(),
  findings: z.array(reportedFindingSchema),
  fixed: z.array(z.looseObject(summaryShape)),
  // Reports written before coverage was recorded have neither: they read as "none".
  notRetested: z.array(z.looseObject({ ...summaryShape, reason: optionalText })).default([]),
  counts: z.looseObject(Object.fromEntries(SEVERITIES.map((s) => [s, count])) as Record<(typeof SEVERITIES)[number], typeof count>),
  diff: z.looseObject({ new: count, fixed: count, persisting: count, suppressed: count, notRetested: count.default(0) }),
  verdict: z.enum(['pass', 'warn', 'fail']),
  scanQuality: scanQualitySchema.optional(),
  scanner: z.looseObject({ image: z.string(), version: optionalText }).optional(),
});

/**
 * A scan report read back from disk (`source` names the file in errors). It crossed a
 * process boundary, so it is checked like any input: a truncated or foreign file is a
 * ValidationError naming the file and what is wrong, not a crash deep in a renderer.
 */
export function parseScanReport(text: string, source: string): ScanReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(source, [{ path: '', message: `not JSON: ${(error as Error).message}` }]);
  }
  const result = scanReportSchema.safeParse(raw);
  if (!result.success) throw new ValidationError(source, problemsFromZod(result.error));
  return result.data;
}

import { z } from 'zod';
import { SEVERITIES, compareFindings, type Confidence, type Finding, type Severity } from '../../domain/finding';
import { fingerprint, normalizeLocation } from '../../domain/fingerprint';
import { storableFinding } from '../../domain/bounded-text';
import { JsonStream, type JsonPath, type JsonStreamHandlers } from './json-stream';
import { DEFAULT_MAX_REPORT_BYTES, ReportProblems, readReportStream, readReportText } from './report-parse-error';

/**
 * Wapiti 3's JSON report (`-f json`): entries grouped by category name under
 * vulnerabilities, anomalies and additionals, with category texts in classifications.
 * Levels are 0 info … 4 critical; Wapiti 3.0.x (Debian bookworm) writes them as strings.
 *
 * The report is read as a stream (json-stream.ts): each category's entries are handed over
 * one at a time and kept as the little a finding needs (the attacked value, not the whole
 * HTTP request nor the curl command). Wapiti writes `infos.target` after the entries, so
 * findings are made once the report is complete.
 */

const levelSchema = z.union([z.number().int().min(0).max(4), z.enum(['0', '1', '2', '3', '4']).transform(Number)], {
  error: 'expected a level from 0 to 4',
});

const entrySchema = z.object({
  method: z.string(),
  path: z.string(),
  info: z.string(),
  level: levelSchema,
  parameter: z.string(),
  http_request: z.string().optional(),
});

type WapitiEntry = z.infer<typeof entrySchema>;

/** Each category's entries, checked one by one as they streamed by, read as an empty array here. */
const entriesByCategory = z.record(z.string(), z.array(z.unknown()));

const classificationSchema = z.object({
  desc: z.string().optional(),
  sol: z.string().optional(),
  ref: z.record(z.string(), z.string()).nullish(),
});

const absoluteUrl = z.string().refine((value) => URL.canParse(value), { message: 'expected an absolute URL' });

const reportSchema = z.object({
  vulnerabilities: entriesByCategory,
  anomalies: entriesByCategory.default({}),
  additionals: entriesByCategory.default({}),
  infos: z.object({ target: absoluteUrl }),
  classifications: z.record(z.string(), classificationSchema).default({}),
});

type WapitiReport = z.infer<typeof reportSchema>;
type Kind = 'vulnerability' | 'anomaly' | 'additional';

const KIND_OF_SECTION: Record<string, Kind> = { vulnerabilities: 'vulnerability', anomalies: 'anomaly', additionals: 'additional' };

/** What a finding needs of an entry. */
interface EntrySeen {
  method: string;
  path: string;
  info: string;
  level: number;
  parameter: string;
  attack: string | undefined;
}

/** Wapiti names categories but has no CWE ids; these are the ones its modules report. */
const CWE_BY_RULE: Record<string, number> = {
  'cross-site-scripting': 79,
  'reflected-cross-site-scripting': 79,
  'stored-cross-site-scripting': 79,
  'sql-injection': 89,
  'blind-sql-injection': 89,
  'open-redirect': 601,
  'command-execution': 78,
  'commands-execution': 78,
  'path-traversal': 22,
  'crlf-injection': 93,
  'xml-external-entity': 611,
  xxe: 611,
  'server-side-request-forgery': 918,
  'cross-site-request-forgery': 352,
  'content-security-policy-configuration': 693,
  'http-secure-headers': 693,
  'clickjacking-protection': 1021,
  'httponly-flag-cookie': 1004,
  'secure-flag-cookie': 614,
};

/** Parses report text; throws ReportParseError naming the first bad place. */
export function parseWapitiReport(text: string, file: string): Finding[] {
  const reader = new WapitiReader(new ReportProblems(file, 'Wapiti JSON report'));
  readReportText(text, file, new JsonStream(reader));
  return reader.findings;
}

/** Reads the report as a stream, refusing one larger than `maxBytes` (report-parse-error.ts). */
export async function parseWapitiReportFile(path: string, maxBytes = DEFAULT_MAX_REPORT_BYTES): Promise<Finding[]> {
  const reader = new WapitiReader(new ReportProblems(path, 'Wapiti JSON report'));
  await readReportStream(path, maxBytes, new JsonStream(reader));
  return reader.findings;
}

class WapitiReader implements JsonStreamHandlers {
  /** Entries by section, then category, in the order findings are made from them. */
  private readonly sections = new Map<Kind, Map<string, EntrySeen[]>>([['vulnerability', new Map()], ['anomaly', new Map()], ['additional', new Map()]]);
  findings: Finding[] = [];

  constructor(private readonly problems: ReportProblems) {}

  /** `vulnerabilities["SQL Injection"]` and the like. */
  streams(path: JsonPath): boolean {
    const kind = path.length === 2 && typeof path[1] === 'string' ? KIND_OF_SECTION[path[0] as string] : undefined;
    // A category named twice keeps its last entries, as JSON.parse keeps the last duplicate key.
    if (kind) this.sections.get(kind)?.set(path[1] as string, []);
    return kind !== undefined;
  }

  element(path: JsonPath, value: unknown): void {
    const entry: WapitiEntry | undefined = this.problems.check(entrySchema, value, path);
    if (!entry || this.problems.any) return;
    this.sections.get(KIND_OF_SECTION[path[0] as string] as Kind)?.get(path[1] as string)?.push({
      method: entry.method, path: entry.path, info: entry.info, level: entry.level, parameter: entry.parameter, attack: payloadOf(entry.http_request, entry.parameter || undefined),
    });
  }

  done(root: unknown): void {
    const report = this.problems.check(reportSchema, root, []);
    this.problems.throwIfAny();
    if (!report) return;
    const origin = new URL(report.infos.target).origin;
    const byFingerprint = new Map<string, Finding>();
    for (const [kind, categories] of this.sections) {
      for (const [category, entries] of categories) {
        for (const entry of entries) addEntry(byFingerprint, report, origin, kind, category, entry);
      }
    }
    this.findings = [...byFingerprint.values()].map(storableFinding).sort(compareFindings);
  }
}

/** `Cross Site Scripting` → `cross-site-scripting`: safe in rules files, URLs and SARIF. */
function ruleIdOf(category: string): string {
  return category
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function addEntry(byFingerprint: Map<string, Finding>, report: WapitiReport, origin: string, kind: Kind, category: string, entry: EntrySeen): void {
  const ruleId = ruleIdOf(category);
  const url = origin + (entry.path.startsWith('/') ? entry.path : `/${entry.path}`);
  const parameter = entry.parameter || undefined;
  // Wapiti's XSS payloads carry a fresh random token on every run (in http_request and
  // curl_command): identity is rule, location and parameter only.
  const id = fingerprint('wapiti', ruleId, url, parameter);
  const severity = severityOf(kind, entry.level);
  let finding = byFingerprint.get(id);
  if (!finding) {
    const classification = report.classifications[category];
    finding = {
      fingerprint: id,
      engine: 'wapiti',
      ruleId,
      title: category,
      severity,
      confidence: CONFIDENCE_BY_KIND[kind],
      cwe: CWE_BY_RULE[ruleId],
      url: normalizeLocation(url),
      method: entry.method,
      parameter,
      description: classification?.desc || undefined,
      solution: classification?.sol || undefined,
      references: Object.values(classification?.ref ?? {}).filter((ref) => /^https?:\/\//i.test(ref)),
      instances: [],
    };
    byFingerprint.set(id, finding);
  } else if (SEVERITIES.indexOf(severity) > SEVERITIES.indexOf(finding.severity)) {
    finding.severity = severity;
  }
  finding.evidence ??= entry.info || undefined;
  finding.instances.push({
    url,
    method: entry.method,
    parameter,
    evidence: entry.info || undefined,
    attack: entry.attack,
  });
}

/**
 * Anomalies are errors and timeouts met while attacking (Wapiti rates a 500 as high):
 * signs of a weakness, not proof, so they stay low. Additionals are fingerprints.
 */
function severityOf(kind: Kind, level: number): Severity {
  const rated = SEVERITIES[level] ?? 'info';
  if (kind === 'additional') return 'info';
  if (kind === 'anomaly') return rated === 'info' ? 'info' : 'low';
  return rated;
}

/** Wapiti reports a vulnerability only once its check succeeded; an anomaly only hints. */
const CONFIDENCE_BY_KIND: Record<Kind, Confidence> = { vulnerability: 'high', anomaly: 'low', additional: 'high' };

/** The value sent in the attacked parameter, read from the request line or a form body. */
function payloadOf(httpRequest: string | undefined, parameter: string | undefined): string | undefined {
  if (!httpRequest || !parameter) return undefined;
  const blankLine = httpRequest.search(/\r?\n\r?\n/);
  const head = blankLine === -1 ? httpRequest : httpRequest.slice(0, blankLine);
  const body = blankLine === -1 ? '' : httpRequest.slice(blankLine).trim();
  const target = head.split(/\s+/)[1] ?? '';
  const query = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
  return new URLSearchParams(query).get(parameter) ?? new URLSearchParams(body).get(parameter) ?? undefined;
}

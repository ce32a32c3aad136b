import { z } from 'zod';
import { CONFIDENCES, compareFindings, severityRank, siteWide, type Finding, type FindingInstance, type Severity } from '../../domain/finding';
import { beforeQuery, locationFingerprint, normalizeLocation } from '../../domain/fingerprint';
import { storableFinding } from '../../domain/bounded-text';
import { JsonStream, type JsonPath, type JsonStreamHandlers } from './json-stream';
import { DEFAULT_MAX_REPORT_BYTES, ReportProblems, readReportStream, readReportText } from './report-parse-error';

/**
 * ZAP's "traditional JSON" report (`zap-baseline.py -J`, the ZAP GitHub actions'
 * `report_json.json`). ZAP writes every number as a string, and desc/solution/reference as
 * HTML paragraphs. Unknown keys are allowed: each ZAP release adds some (instance `id`,
 * `nodeName`, `created`, `sequences`). ZAP 2.15+ writes `"systemic": true` (a JSON boolean)
 * on an alert it raised once for a whole site; see Finding.systemic.
 *
 * The report is read as a stream (json-stream.ts): `site[]`, `alerts[]` and `instances[]`
 * are handed over one element at a time, so only one alert's instances are held while
 * reading; each alert becomes findings as soon as it is complete.
 */

const RISKS: readonly Severity[] = ['info', 'low', 'medium', 'high'];

const digits = z.string().regex(/^\d+$/, 'expected a string of digits');
const optionalText = z.string().optional();

interface ZapInstance {
  uri: string;
  method: string;
  param?: string;
  attack?: string;
  evidence?: string;
}

/** Each field an instance may have, and whether it must: all strings. */
const INSTANCE_FIELDS: readonly (readonly [keyof ZapInstance | 'otherinfo', boolean])[] = [['uri', true], ['method', true], ['param', false], ['attack', false], ['evidence', false], ['otherinfo', false]];

/** Streamed arrays read as empty where they sit: their elements were checked one by one. */
const streamed = z.array(z.unknown());

const alertSchema = z.object({
  pluginid: digits,
  alertRef: optionalText,
  alert: z.string(),
  riskcode: z.enum(['0', '1', '2', '3'], { error: 'expected one of "0","1","2","3"' }),
  confidence: z.enum(['0', '1', '2', '3', '4'], { error: 'expected one of "0","1","2","3","4"' }),
  desc: optionalText,
  instances: streamed,
  count: digits.optional(),
  // A JSON boolean from ZAP's template; a string from tools that rewrite every value as ZAP 2.14 did.
  systemic: z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')], { error: 'expected true or false' }).optional(),
  solution: optionalText,
  otherinfo: optionalText,
  reference: optionalText,
  cweid: z.string().regex(/^-?\d+$/, 'expected a string holding an integer').optional(),
  wascid: z.string().regex(/^-?\d+$/, 'expected a string holding an integer').optional(),
  sourceid: digits.optional(),
});

const siteSchema = z.object({
  '@name': z.string(),
  '@host': optionalText,
  '@port': digits.optional(),
  '@ssl': z.enum(['true', 'false'], { error: 'expected "true" or "false"' }).optional(),
  alerts: streamed,
});

const reportSchema = z.object({
  '@version': optionalText,
  '@generated': optionalText,
  site: streamed,
});

type ZapAlert = z.infer<typeof alertSchema>;

/** Parses report text; throws ReportParseError naming the first bad place. */
export function parseZapReport(text: string, file: string): Finding[] {
  const findings = new FindingsByFingerprint();
  readReportText(text, file, zapReportStream(file, (finding) => findings.add(finding)));
  return findings.sorted();
}

/** Reads the report as a stream, refusing one larger than `maxBytes` (report-parse-error.ts). */
export async function parseZapReportFile(path: string, maxBytes = DEFAULT_MAX_REPORT_BYTES): Promise<Finding[]> {
  const findings = new FindingsByFingerprint();
  await readReportStream(path, maxBytes, zapReportStream(path, (finding) => findings.add(finding)));
  return findings.sorted();
}

/**
 * The findings of the report at `path`, handed to `onFinding` alert by alert as the file is
 * read, for callers that keep less than every instance (the findings-pipeline benchmark).
 * A fingerprint can come again from a later alert (variants of one plugin share it):
 * `mergeZapFinding` puts the parts together. Nothing is handed over past a problem, and the
 * first one is thrown at the end as a ReportParseError. `afterChunk`: see readReportStream.
 */
export async function streamZapReportFile(path: string, maxBytes: number, onFinding: (finding: Finding) => void, afterChunk?: () => Promise<void>): Promise<void> {
  await readReportStream(path, maxBytes, zapReportStream(path, onFinding), afterChunk);
}

/**
 * Adds `part` (the same fingerprint, from a later alert) to `finding`. The most severe
 * variant speaks for the place: alertRef 10020-1 and 10020-2 share a plugin id and so a
 * fingerprint, and the finding takes the more severe one's words.
 */
export function mergeZapFinding(finding: Finding, part: Finding): void {
  if (severityRank(part.severity) > severityRank(finding.severity)) {
    Object.assign(finding, { title: part.title, severity: part.severity, confidence: part.confidence, cwe: part.cwe, description: part.description, solution: part.solution, references: part.references });
  }
  finding.evidence ??= part.evidence;
  for (const instance of part.instances) finding.instances.push(instance);
}

class FindingsByFingerprint {
  private readonly byFingerprint = new Map<string, Finding>();

  add(part: Finding): void {
    const known = this.byFingerprint.get(part.fingerprint);
    if (known) mergeZapFinding(known, part);
    else this.byFingerprint.set(part.fingerprint, part);
  }

  sorted(): Finding[] {
    return [...this.byFingerprint.values()].sort(compareFindings);
  }
}

function zapReportStream(file: string, onFinding: (finding: Finding) => void): JsonStream {
  return new JsonStream(new ZapReader(new ReportProblems(file, 'ZAP JSON report'), onFinding));
}

/** Where each streamed array sits: `site[]`, `site[i].alerts[]`, `site[i].alerts[j].instances[]`. */
const STREAMED_KEYS = ['site', 'alerts', 'instances'];

class ZapReader implements JsonStreamHandlers {
  /** The instances of the alert being read, until the alert itself is complete. */
  private pending: ZapInstance[] = [];

  constructor(
    private readonly problems: ReportProblems,
    private readonly onFinding: (finding: Finding) => void,
  ) {}

  streams(path: JsonPath): boolean {
    if (path.length % 2 === 0 || path.length > 5) return false;
    for (let i = 0; i < path.length; i += 2) if (path[i] !== STREAMED_KEYS[i / 2] || (i > 0 && typeof path[i - 1] !== 'number')) return false;
    return true;
  }

  element(path: JsonPath, value: unknown): void {
    if (path.length === 6) this.instance(path, value);
    else if (path.length === 4) this.alert(path, value);
    else this.problems.check(siteSchema, value, path);
  }

  /** The report's own fields are checked last, once its streamed `site` array has gone by. */
  done(root: unknown): void {
    this.problems.check(reportSchema, root, []);
    this.problems.throwIfAny();
  }

  private instance(path: JsonPath, item: unknown): void {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      this.problems.add(path, 'expected an instance object');
      return;
    }
    const fields = item as Record<string, unknown>;
    let valid = true;
    for (const [key, required] of INSTANCE_FIELDS) {
      const value = fields[key];
      if (typeof value === 'string' || (value === undefined && !required)) continue;
      this.problems.add([...path, key], `expected a string, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
      valid = false;
    }
    // Past the first problem the report is refused anyway: keep checking, stop collecting.
    if (valid && !this.problems.any) this.pending.push(fields as unknown as ZapInstance);
  }

  private alert(path: JsonPath, value: unknown): void {
    const instances = this.pending;
    this.pending = [];
    const alert = this.problems.check(alertSchema, value, path);
    if (!alert || this.problems.any) return;
    const parts = alert.systemic ? systemicFindings(alert, instances) : placeFindings(alert, instances);
    for (const finding of parts) this.onFinding(storableFinding(finding));
  }
}

/** An alert covers many places; each (location, parameter) is its own finding. */
function placeFindings(alert: ZapAlert, instances: ZapInstance[]): Iterable<Finding> {
  const described = describe(alert);
  const byPlace = new Map<string, Finding>();
  for (const instance of instances) {
    const parameter = instance.param || undefined;
    // The query and fragment never make a place (normalizeLocation drops them): instances that
    // differ only there are normalized and fingerprinted once.
    const place = `${beforeQuery(instance.uri)}\u0000${parameter ?? ''}`;
    let finding = byPlace.get(place);
    if (!finding) {
      const url = normalizeLocation(instance.uri);
      const id = locationFingerprint('zap', alert.pluginid, url, parameter);
      finding = byPlace.get(id) ?? newFinding(alert, described, id, url, instance.method, parameter);
      byPlace.set(place, finding);
      byPlace.set(id, finding);
    }
    finding.evidence ??= instance.evidence || undefined;
    finding.instances.push(instanceOf(instance, parameter));
  }
  return new Set(byPlace.values());
}

/** Written out field by field: a spread here makes every finding of a large report bigger and slower to build. */
function newFinding(alert: ZapAlert, described: Description, id: string, url: string, method: string, parameter: string | undefined): Finding {
  const { title, severity, confidence, cwe, description, solution, references } = described;
  return { fingerprint: id, engine: 'zap', ruleId: alert.pluginid, title, severity, confidence, cwe, description, solution, references: [...references], url, method, parameter, evidence: undefined, instances: [] };
}

/**
 * A systemic alert is one finding per site: its identity is engine, plugin and the site
 * (`siteWide`), never one of the example URLs ZAP lists, which change from run to run. Its
 * parameter is the one every instance names (a header's name), if they agree.
 */
function systemicFindings(alert: ZapAlert, instances: ZapInstance[]): Iterable<Finding> {
  const described = describe(alert);
  const bySite = new Map<string, Finding>();
  for (const instance of instances) {
    const url = siteWide(instance.uri);
    const parameter = instance.param || undefined;
    let finding = bySite.get(url);
    if (!finding) {
      finding = { ...newFinding(alert, described, locationFingerprint('zap', alert.pluginid, url, undefined), url, instance.method, parameter), systemic: true };
      bySite.set(url, finding);
    } else if (finding.parameter !== parameter) {
      finding.parameter = undefined;
    }
    finding.evidence ??= instance.evidence || undefined;
    finding.instances.push(instanceOf(instance, parameter));
  }
  return bySite.values();
}

function instanceOf(instance: ZapInstance, parameter: string | undefined): FindingInstance {
  return { url: instance.uri, method: instance.method, parameter, evidence: instance.evidence || undefined, attack: instance.attack || undefined };
}

type Description = Pick<Finding, 'title' | 'severity' | 'confidence' | 'cwe' | 'description' | 'solution' | 'references'>;

function describe(alert: ZapAlert): Description {
  const cwe = Number(alert.cweid ?? '0');
  return {
    title: alert.alert,
    severity: RISKS[Number(alert.riskcode)] ?? 'info',
    confidence: CONFIDENCES[Number(alert.confidence)] ?? 'low',
    // ZAP writes -1 (or 0) for "no CWE".
    cwe: cwe > 0 ? cwe : undefined,
    description: htmlToText(alert.desc ?? '') || undefined,
    solution: htmlToText(alert.solution ?? '') || undefined,
    references: [...new Set(htmlToText(alert.reference ?? '').split(/\s+/))].filter((word) => /^https?:\/\//i.test(word)),
  };
}

/** ZAP's `<p>…</p>` fragments → one line per paragraph, entities decoded. */
function htmlToText(html: string): string {
  const withBreaks = html.replace(/<br\s*\/?>|<\/(p|li|div|h[1-6]|tr)\s*>/gi, '\n').replace(/<[^>]*>/g, '');
  return decodeEntities(withBreaks)
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name[0] !== '#') return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

import { z } from 'zod';
import { CONFIDENCES, compareFindings, type Finding, type Severity } from '../../domain/finding';
import { fingerprint, normalizeLocation } from '../../domain/fingerprint';
import { storableFinding } from '../../domain/bounded-text';
import { DEFAULT_MAX_REPORT_BYTES, parseReportJson, readReportText, reportShapeError } from './report-parse-error';

/**
 * ZAP's "traditional JSON" report (`zap-baseline.py -J`). ZAP writes every number and
 * boolean as a string, and desc/solution/reference as HTML paragraphs. Unknown keys are
 * allowed: each ZAP release adds some (`systemic`, instance `id`, `nodeName`).
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

const INSTANCE_FIELDS = { uri: true, method: true, param: false, attack: false, evidence: false, otherinfo: false } as const;

/**
 * A big report has 100k+ instances: zod would copy every one of them, doubling memory
 * and time, so instances are checked in place with the same paths zod would give.
 */
const instancesSchema = z.array(z.unknown()).transform((items, ctx) => {
  items.forEach((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      ctx.addIssue({ code: 'custom', path: [i], message: 'expected an instance object' });
      return;
    }
    for (const [key, required] of Object.entries(INSTANCE_FIELDS)) {
      const value = (item as Record<string, unknown>)[key];
      if (typeof value === 'string' || (value === undefined && !required)) continue;
      ctx.addIssue({ code: 'custom', path: [i, key], message: `expected a string, got ${value === undefined ? 'nothing' : JSON.stringify(value)}` });
    }
  });
  return items as ZapInstance[];
});

const alertSchema = z.object({
  pluginid: digits,
  alertRef: optionalText,
  alert: z.string(),
  riskcode: z.enum(['0', '1', '2', '3'], { error: 'expected one of "0","1","2","3"' }),
  confidence: z.enum(['0', '1', '2', '3', '4'], { error: 'expected one of "0","1","2","3","4"' }),
  desc: optionalText,
  instances: instancesSchema,
  count: digits.optional(),
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
  alerts: z.array(alertSchema),
});

const reportSchema = z.object({
  '@version': optionalText,
  '@generated': optionalText,
  site: z.array(siteSchema),
});

type ZapAlert = z.infer<typeof alertSchema>;

/** Parses report text; throws ReportParseError naming the first bad place. */
export function parseZapReport(text: string, file: string): Finding[] {
  const raw = parseReportJson(text, file);
  const result = reportSchema.safeParse(raw);
  if (!result.success) throw reportShapeError(file, 'ZAP JSON report', result.error);
  const byFingerprint = new Map<string, Finding>();
  for (const site of result.data.site) {
    for (const alert of site.alerts) addAlert(byFingerprint, alert);
  }
  return [...byFingerprint.values()].map(storableFinding).sort(compareFindings);
}

/** Reads the report, refusing one larger than `maxBytes` before reading it (report-parse-error.ts). */
export async function parseZapReportFile(path: string, maxBytes = DEFAULT_MAX_REPORT_BYTES): Promise<Finding[]> {
  return parseZapReport(await readReportText(path, maxBytes), path);
}

/** One alert covers many places; each (location, parameter) is its own finding. */
function addAlert(byFingerprint: Map<string, Finding>, alert: ZapAlert): void {
  const described = describe(alert);
  for (const instance of alert.instances) {
    const parameter = instance.param || undefined;
    const id = fingerprint('zap', alert.pluginid, instance.uri, parameter);
    let finding = byFingerprint.get(id);
    if (!finding) {
      finding = {
        fingerprint: id,
        engine: 'zap',
        ruleId: alert.pluginid,
        ...described,
        references: [...described.references],
        url: normalizeLocation(instance.uri),
        method: instance.method,
        parameter,
        instances: [],
      };
      byFingerprint.set(id, finding);
    } else if (outranks(alert, finding)) {
      // Variants of one plugin (alertRef 10020-1, 10020-2) share a rule id and so a
      // fingerprint; the finding speaks for the most severe of them.
      Object.assign(finding, described, { references: [...described.references] });
    }
    finding.evidence ??= instance.evidence || undefined;
    finding.instances.push({
      url: instance.uri,
      method: instance.method,
      parameter,
      evidence: instance.evidence || undefined,
      attack: instance.attack || undefined,
    });
  }
}

function describe(alert: ZapAlert): Pick<Finding, 'title' | 'severity' | 'confidence' | 'cwe' | 'description' | 'solution' | 'references'> {
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

function outranks(alert: ZapAlert, finding: Finding): boolean {
  return RISKS.indexOf(finding.severity) < Number(alert.riskcode);
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

import type { Finding, FindingInstance } from './finding';

/**
 * Text from outside (scanner reports above all: what a scanned site answered) made fit to
 * store and show. PostgreSQL's `jsonb` refuses `\u0000` and lone UTF-16 surrogates, so one
 * such character in a report failed the whole insert, on every retry; other control
 * characters rewrite terminals and break Slack and HTML renderings. Tab, line feed and
 * carriage return stay: evidence is often a piece of an HTTP exchange.
 */

/**
 * The caps, in UTF-16 code units (JavaScript string length), of each kind of finding text.
 * Longer text keeps its first `cap` characters followed by TRUNCATION_MARK. Evidence and
 * attack are per instance: a finding keeps every instance, each with its own bounded text.
 */
export const TEXT_CAPS = {
  /** What the scanner saw in the response, or sent as the attack. */
  evidence: 8_192,
  /** Description and solution: the scanner's prose about a rule. */
  prose: 32_768,
  /** URLs, located by origin and path; long query strings are the usual culprits. */
  url: 8_192,
  /** Title, rule id, method, parameter name, each reference. */
  name: 2_048,
} as const;

/** Follows truncated text, saying how much was cut so nobody mistakes it for the whole. */
export const TRUNCATION_MARK = (dropped: number) => `… [truncated: ${dropped} more characters]`;

// C0 controls but tab, LF and CR; DEL; C1 controls.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Either of the above: most text has neither, and is returned as it is.
const UNFIT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF]/;

/** `text` without control characters, lone surrogates replaced by U+FFFD, cut to `cap` characters. */
export function boundedText(text: string, cap: number): string {
  if (text.length <= cap && !UNFIT.test(text)) return text;
  const clean = text.replace(CONTROL, '').replace(LONE_SURROGATE, '\uFFFD');
  if (clean.length <= cap) return clean;
  // Never split a surrogate pair: half of one is exactly what jsonb refuses.
  const end = /[\uD800-\uDBFF]/.test(clean[cap - 1] ?? '') ? cap - 1 : cap;
  return clean.slice(0, end) + TRUNCATION_MARK(clean.length - end);
}

/**
 * A finding whose every text is bounded (TEXT_CAPS): what the report parsers hand on to the
 * store and the reports. The fingerprint is the parser's, computed from the text as reported.
 */
export function storableFinding(finding: Finding): Finding {
  const storable: Finding = {
    ...finding,
    ruleId: boundedText(finding.ruleId, TEXT_CAPS.name),
    title: boundedText(finding.title, TEXT_CAPS.name),
    url: boundedText(finding.url, TEXT_CAPS.url),
    method: boundedText(finding.method, TEXT_CAPS.name),
    references: finding.references.map((reference) => boundedText(reference, TEXT_CAPS.name)),
    instances: finding.instances.map(storableInstance),
  };
  if (finding.parameter !== undefined) storable.parameter = boundedText(finding.parameter, TEXT_CAPS.name);
  if (finding.description !== undefined) storable.description = boundedText(finding.description, TEXT_CAPS.prose);
  if (finding.evidence !== undefined) storable.evidence = boundedText(finding.evidence, TEXT_CAPS.evidence);
  if (finding.solution !== undefined) storable.solution = boundedText(finding.solution, TEXT_CAPS.prose);
  return storable;
}

function storableInstance(instance: FindingInstance): FindingInstance {
  const storable: FindingInstance = { ...instance, url: boundedText(instance.url, TEXT_CAPS.url), method: boundedText(instance.method, TEXT_CAPS.name) };
  if (instance.parameter !== undefined) storable.parameter = boundedText(instance.parameter, TEXT_CAPS.name);
  if (instance.evidence !== undefined) storable.evidence = boundedText(instance.evidence, TEXT_CAPS.evidence);
  if (instance.attack !== undefined) storable.attack = boundedText(instance.attack, TEXT_CAPS.evidence);
  return storable;
}

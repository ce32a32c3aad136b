import { compareFindings, type Engine, type Finding, type FindingInstance } from './finding';
import { locationFingerprint } from './fingerprint';

/**
 * Rules whose scanner reports several weaknesses under one rule at one URL, naming each in
 * the entry's text: Wapiti 3.0.4 writes one entry per missing header, per cookie flag per
 * cookie and per weak CSP directive, all at the root URL with no parameter, so the parser
 * would merge them into one finding, and fixing one of four headers would change nothing.
 * The name is the first group of the pattern matching the entry's text (its `info`, the
 * instance's evidence). ZAP needs none of this: it has a rule per header and puts the cookie
 * in `param`, as the split below does.
 *
 * store/migrations/0006-weakness-split.ts holds a copy of these patterns, frozen as a
 * migration must be: change them here and a new migration moves what is stored.
 */
export const WEAKNESS_PATTERNS: Readonly<Record<string, { engine: Engine; patterns: readonly RegExp[] }>> = {
  // mod_http_headers.py: "X-Frame-Options is not set"
  'http-secure-headers': { engine: 'wapiti', patterns: [/^(.+) is not set$/] },
  // mod_cookieflags.py: "HttpOnly flag is not set in the cookie : shop_session"
  'httponly-flag-cookie': { engine: 'wapiti', patterns: [/^HttpOnly flag is not set in the cookie : (.+)$/] },
  'secure-flag-cookie': { engine: 'wapiti', patterns: [/^Secure flag is not set in the cookie : (.+)$/] },
  // mod_csp.py: `CSP attribute "script-src" is missing`, `CSP "default-src" value is not safe`;
  // a directive is either missing or unsafe, never both. "CSP is not set" names nothing.
  'content-security-policy-configuration': { engine: 'wapiti', patterns: [/^CSP attribute "(.+)" is missing$/, /^CSP "(.+)" value is not safe$/] },
};

/** The header, cookie or directive an instance's evidence names under `ruleId`, if any. */
export function weaknessName(engine: Engine, ruleId: string, evidence: string | undefined): string | undefined {
  const rule = Object.hasOwn(WEAKNESS_PATTERNS, ruleId) ? WEAKNESS_PATTERNS[ruleId] : undefined;
  if (!rule || rule.engine !== engine || evidence === undefined) return undefined;
  for (const pattern of rule.patterns) {
    const name = pattern.exec(evidence)?.[1];
    if (name !== undefined) return name;
  }
  return undefined;
}

/**
 * One finding per weakness: a finding of a rule above, with no parameter, becomes one
 * finding per name its instances carry, the name as its parameter (as ZAP names a cookie)
 * and a fingerprint of its own: locationFingerprint(engine, ruleId, url, name) of the
 * finding's already-normalized url, which the store migration computes alike from a stored row. Instances naming nothing stay together under the finding's fingerprint.
 * Every other finding passes through unchanged. Applied once, right after parsing.
 */
export function splitWeaknesses(findings: Finding[]): Finding[] {
  return findings.flatMap(splitWeakness).sort(compareFindings);
}

/** The same for one finding (or one part of a finding) as a report streams by. */
export function splitWeakness(finding: Finding): Finding[] {
  if (finding.parameter !== undefined || !Object.hasOwn(WEAKNESS_PATTERNS, finding.ruleId)) return [finding];
  const groups = new Map<string | undefined, FindingInstance[]>();
  for (const instance of finding.instances) {
    const name = weaknessName(finding.engine, finding.ruleId, instance.evidence);
    const group = groups.get(name) ?? [];
    group.push(name === undefined ? instance : { ...instance, parameter: name });
    groups.set(name, group);
  }
  if (groups.size === 1 && groups.has(undefined)) return [finding];
  return [...groups.entries()].map(([name, instances]) => {
    if (name === undefined) return { ...finding, evidence: instances[0]?.evidence, instances };
    return { ...finding, fingerprint: locationFingerprint(finding.engine, finding.ruleId, finding.url, name), parameter: name, evidence: instances[0]?.evidence, instances };
  });
}

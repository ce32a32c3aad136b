import { z } from 'zod';
import type { Engine, Finding, FindingSummary } from './finding';
import { beforeQuery, normalizeLocation } from './fingerprint';
import { scanQualitySchema, type ScanQuality } from './scan-report';
import { ValidationError, problemsFromZod } from './validation-error';

/**
 * What one scan covered, in enough detail to say of each finding whether the scan re-tested
 * it: the figures (ScanQuality), the locations the crawl reached, and for modules that name
 * what they attack, the locations each one attacked. Locations are normalized as
 * fingerprints normalize them (fingerprint.ts), so they compare with a finding's `url`.
 */
export interface ScanCoverage {
  quality: ScanQuality;
  reached: string[];
  /** Module or rule → the locations it reports having attacked; only modules that report it. */
  tested: Record<string, string[]>;
  scanner: { image: string; version?: string };
}

const coverageSchema = z.looseObject({
  quality: scanQualitySchema,
  reached: z.array(z.string()),
  tested: z.record(z.string(), z.array(z.string())),
  scanner: z.looseObject({ image: z.string(), version: z.string().optional() }),
});

/** A coverage record read back from disk (`source` names the file in errors), checked like any input. */
export function parseScanCoverage(text: string, source: string): ScanCoverage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(source, [{ path: '', message: `not JSON: ${(error as Error).message}` }]);
  }
  const result = coverageSchema.safeParse(raw);
  if (!result.success) throw new ValidationError(source, problemsFromZod(result.error));
  return result.data as ScanCoverage;
}

/**
 * Why a scan reached nothing it was supposed to reach, or undefined when it reached
 * something. Such a scan is an error, never a PASS: it proves nothing about any finding.
 */
export function nothingReached(quality: ScanQuality): string | undefined {
  const figures = `${quality.urlsCrawled} URLs crawled, ${quality.requestsFailed} of ${quality.requestsSent} requests failed, ${quality.modulesRun.length} modules started`;
  const why = !quality.targetAnswered ? 'the target did not answer'
    : quality.urlsCrawled === 0 ? 'the crawl reached no URL'
    : quality.requestsSent > 0 && quality.requestsFailed >= quality.requestsSent ? 'every request failed'
    : quality.modulesRun.length === 0 ? 'the scanner stopped before any module attacked'
    : undefined;
  return why && `${why} (${figures}; from ${quality.source})`;
}

/**
 * Wapiti 3.0.4's categories (rule ids, see wapiti-report.ts) and the attack modules that
 * report each (wapitiCore/attack/mod_*.py, add_vuln / add_anom calls). Anomalies come from
 * every module that sends payloads.
 */
const PAYLOAD_MODULES = ['blindsql', 'crlf', 'csrf', 'exec', 'file', 'permanentxss', 'sql', 'xss', 'xxe'];
const WAPITI_RULE_MODULES: Record<string, string[]> = {
  'backup-file': ['backup'],
  'blind-sql-injection': ['blindsql'],
  'weak-credentials': ['brute_login_form'],
  'crlf-injection': ['crlf'],
  'content-security-policy-configuration': ['csp'],
  'cross-site-request-forgery': ['csrf'],
  'potentially-dangerous-file': ['nikto'],
  'command-execution': ['exec', 'shellshock'],
  'path-traversal': ['file'],
  'fingerprint-web-technology': ['wapp'],
  'htaccess-bypass': ['htaccess'],
  'http-secure-headers': ['http_headers'],
  'httponly-flag-cookie': ['cookieflags'],
  'secure-flag-cookie': ['cookieflags'],
  'open-redirect': ['redirect'],
  'sql-injection': ['sql'],
  'server-side-request-forgery': ['ssrf'],
  'cross-site-scripting': ['xss', 'permanentxss'],
  'xml-external-entity': ['xxe'],
  'internal-server-error': PAYLOAD_MODULES,
  'resource-consumption': PAYLOAD_MODULES,
};

/**
 * The modules or rules that could have reported a finding: for ZAP the rule (plugin id)
 * itself; for Wapiti the modules of its category, a rule id that extends a category
 * (`http-secure-headers-x-frame-options`) counting as that category. Undefined: not known.
 */
export function modulesReporting(finding: Pick<FindingSummary, 'engine' | 'ruleId'>): string[] | undefined {
  if (finding.engine === 'zap') return [finding.ruleId];
  const categories = Object.keys(WAPITI_RULE_MODULES)
    .filter((category) => finding.ruleId === category || new RegExp(`^${category}[-/:.]`).test(finding.ruleId))
    .sort((a, b) => b.length - a.length);
  return categories[0] === undefined ? undefined : WAPITI_RULE_MODULES[categories[0]];
}

/** A scan's coverage, indexed for the question asked once per baseline finding. */
export interface RetestIndex {
  quality: ScanQuality;
  reached: ReadonlySet<string>;
  tested: ReadonlyMap<string, ReadonlySet<string>>;
  finished: ReadonlySet<string>;
  run: ReadonlySet<string>;
}

/**
 * Indexes a scan's coverage for the locations `asked` about (the baseline's findings the
 * scan did not report): a crawl of a large site lists far more, and only these matter.
 * What the scan itself reported is proof of reach too: the locations where it found
 * anything (forEachLocation of its findings) are `reachedByFindings`.
 */
export function retestIndex(coverage: ScanCoverage, reachedByFindings: Iterable<string>, asked: ReadonlySet<string>): RetestIndex {
  const reached = new Set<string>();
  for (const location of reachedByFindings) if (asked.has(location)) reached.add(location);
  for (const location of askedOf(coverage.reached, asked)) reached.add(location);
  return {
    quality: coverage.quality,
    reached,
    tested: new Map(Object.entries(coverage.tested).map(([module, locations]) => [module, new Set(askedOf(locations, asked))])),
    finished: new Set(coverage.quality.modulesFinished),
    run: new Set(coverage.quality.modulesRun),
  };
}

/** The asked locations among `locations`, which the coverage readers normalized (ScanCoverage). */
function* askedOf(locations: readonly string[], asked: ReadonlySet<string>): Iterable<string> {
  for (const location of locations) if (asked.has(location)) yield location;
}

/**
 * The normalized locations a finding proves reached: its own and its instances'. An
 * instance whose URL differs from the previous one's only after `?` or `#` is at the same
 * location, so a place's instances (ZAP lists one per query variant) are normalized once.
 * A callback, not a generator: the diff calls it once per finding of a million-instance scan.
 */
export function forEachLocation(finding: Pick<Finding, 'url' | 'instances'>, reached: (location: string) => void): void {
  // A finding's url is normalized by its parser already (finding.ts).
  reached(finding.url);
  let previous: string | undefined;
  for (const instance of finding.instances) {
    const path = beforeQuery(instance.url);
    if (path === previous) continue;
    previous = path;
    if (path !== finding.url) reached(normalizeLocation(instance.url));
  }
}


/**
 * Whether this scan re-tested a finding it did not see: undefined if it did (the finding is
 * fixed), else why not (it is not re-tested). Re-tested means: the target answered, a module
 * that reports the finding ran to completion, and that module attacked the finding's
 * location — or, for a module that does not say what it attacks, the crawl reached it.
 * A finding whose modules are unknown needs every module of the scan finished.
 */
export function notRetestedReason(finding: FindingSummary, index: RetestIndex | undefined): string | undefined {
  if (!index) return 'this scan recorded no coverage';
  if (!index.quality.targetAnswered) return 'the target did not answer';
  const unit = finding.engine === 'zap' ? 'rule' : 'module';
  const location = normalizeLocation(finding.url);
  const candidates = modulesReporting(finding);
  if (candidates === undefined) {
    const unfinished = [...index.run].filter((module) => !index.finished.has(module));
    if (index.run.size === 0 || unfinished.length > 0) return `its ${unit} is not known and not every ${unit} finished${unfinished.length > 0 ? ` (${unfinished.join(', ')})` : ''}`;
    return index.reached.has(location) ? undefined : `${location} was not reached`;
  }
  const finished = candidates.filter((module) => index.finished.has(module));
  if (finished.length === 0) {
    const started = candidates.filter((module) => index.run.has(module));
    return started.length > 0 ? `${unit} ${started.join(', ')} did not finish` : `${unit} ${candidates.join(', ')} did not run`;
  }
  const retested = finished.some((module) => index.tested.get(module)?.has(location) ?? index.reached.has(location));
  if (retested) return undefined;
  return index.reached.has(location) ? `${unit} ${finished.join(', ')} did not attack ${location}` : `${location} was not reached`;
}

/** Wapiti names its modules, ZAP numbers its rules: what a report calls them. */
export function moduleNoun(engine: Engine): string {
  return engine === 'zap' ? 'rules' : 'modules';
}

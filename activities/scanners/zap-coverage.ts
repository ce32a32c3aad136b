import { normalizeLocation } from '../../domain/fingerprint';
import type { CoverageReader, LogCoverage } from './coverage-reader';

/**
 * What a ZAP packaged scan (zap-baseline.py, zap-full-scan.py, zap-api-scan.py, run with
 * `-d` by zap.ts) covered, read from its output. ZAP cannot run here, so this follows the
 * scripts' documented output (zaproxy/zaproxy docker/zap-*.py and zap_common.py) and is
 * unit-tested on text of that form. The scripts run without the Automation Framework (the
 * `-n` context file turns it off) and print:
 *
 *   2026-11-30 10:00:01,234 ZAP Version 2.16.1            (-d) wait_for_zap_start: the version
 *   ERROR [Errno 5] ZAP failed to access: http://host/    zap_access_target: the target did not answer
 *   … No URLs found - is the target URL accessible? …     the spider found nothing; no report follows
 *   Total of 12 URLs                                      len(zap.core.urls()) after the spider
 *   PASS: Cookie No HttpOnly Flag [10010]                 a rule that ran and raised nothing
 *   WARN-NEW: X-Content-Type-Options Header Missing [10021] x 4   a rule that raised alerts,
 *   	http://host/ (200 OK)                               then up to five of its URLs
 *   … Exceeded passive scan timeout                        (-d) passive rules did not see everything
 *   … ['host:port', {'HostProcess': [{'Plugin': ['Path Traversal', '6', 'release', 'Complete',
 *        '1234', '250', '0']}, …]}]                        (-d) the active scan's progress, logged
 *                                                         once it is over: per rule its name, id,
 *                                                         quality, status, ms, requests, alerts
 *
 * The progress is the API's ascan/view/scanProgress (ActiveScanAPI.java): status "Complete"
 * for a rule that ran to its end, "NN%" still running, "Pending" never started, "Skipped"
 * or "Skipped, <reason>" (e.g. its time limit) stopped. ZAP prints no list of the URLs it
 * crawled, only their number: a location counts as reached when an alert (here, or in the
 * -J report: compare-scan adds those) names it — ZAP's passive header rules raise one on
 * nearly every page. Requests sent are one per URL the spider found plus each active rule's
 * requests; failed requests are not reported, except the target not answering at all.
 *
 * In an active scan the PASS list also names active rules that did not run to their end, so
 * only the progress line tells which finished; without it no rule counts as finished.
 */
export function zapCoverageReader(options: { activeScan: boolean }): CoverageReader {
  let version: string | undefined;
  let accessFailed = false;
  let noUrls = false;
  let totalUrls: number | undefined;
  let passiveTimedOut = false;
  const listed = new Set<string>();
  const reached = new Set<string>();
  let progress: Map<string, { status: string; requests: number }> | undefined;

  return {
    line(raw: string): void {
      const text = raw.trimEnd();
      const zapVersion = /ZAP Version (\S+)/.exec(text);
      if (zapVersion) version = zapVersion[1];
      if (/ZAP failed to access: /.test(text)) accessFailed = true;
      if (/No URLs found - is the target URL accessible\?/.test(text)) noUrls = true;
      if (/Exceeded passive scan timeout/.test(text)) passiveTimedOut = true;
      const total = /^Total of (\d+) URLs$/.exec(text);
      if (total) totalUrls = Number(total[1]);
      const rule = /^(?:PASS: .* \[(\d+)\]|(?:IGNORE|INFO|WARN|FAIL)-(?:NEW|IN_PROGRESS): .* \[(\d+)\] x \d+.*)$/.exec(text);
      if (rule) listed.add((rule[1] ?? rule[2])!);
      const example = /^\t(https?:\/\/\S+) \(\d{3}[^)]*\)$/.exec(raw);
      if (example?.[1]) reached.add(normalizeLocation(example[1]));
      if (/['"]HostProcess['"]/.test(text)) progress = mergeProgress(progress ?? new Map(), text);
    },

    result(): LogCoverage {
      const urlsCrawled = accessFailed || noUrls ? 0 : totalUrls ?? 0;
      // "No URLs found" comes after ZAP opened the target: it answered, the spider found nothing.
      const targetAnswered = !accessFailed && (urlsCrawled > 0 || noUrls);
      const active = progress ?? new Map<string, { status: string; requests: number }>();
      const passive = [...listed].filter((id) => !active.has(id));
      const activeRun = [...active].filter(([, p]) => p.status !== 'Pending').map(([id]) => id);
      const activeFinished = [...active].filter(([, p]) => p.status === 'Complete').map(([id]) => id);
      const passiveFinished = urlsCrawled === 0 || passiveTimedOut || (options.activeScan && !progress) ? [] : passive;
      const activeRequests = [...active.values()].reduce((sum, p) => sum + p.requests, 0);
      return {
        version,
        targetAnswered,
        urlsCrawled,
        reached: [...reached],
        requestsSent: urlsCrawled + activeRequests + (accessFailed || noUrls ? 1 : 0),
        requestsFailed: accessFailed ? 1 : 0,
        modulesRun: urlsCrawled > 0 ? [...passive, ...activeRun] : activeRun,
        modulesFinished: [...passiveFinished, ...activeFinished],
        tested: {},
      };
    },
  };
}

const PLUGIN = /\{\s*['"]Plugin['"]\s*:\s*\[([^\]]*)\]\s*\}/g;
const PYTHON_STRING = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g;

/**
 * Adds one progress line's rules. With several hosts a rule is finished only where it
 * finished on every one of them.
 */
function mergeProgress(into: Map<string, { status: string; requests: number }>, text: string): Map<string, { status: string; requests: number }> {
  for (const plugin of text.matchAll(PLUGIN)) {
    const fields = [...(plugin[1] ?? '').matchAll(PYTHON_STRING)].map((m) => m[1] ?? m[2] ?? '');
    const [, id, , status, , requests] = fields;
    if (!id || !/^\d+$/.test(id) || status === undefined) continue;
    const known = into.get(id);
    into.set(id, {
      status: known && known.status !== status ? (known.status === 'Complete' ? status : known.status) : status,
      requests: (known?.requests ?? 0) + (Number(requests) || 0),
    });
  }
  return into;
}

import { normalizeLocation } from '../../domain/fingerprint';
import type { CoverageReader, LogCoverage } from './coverage-reader';

/**
 * What a Wapiti 3.0.4 scan covered, read from its `-v 1` output as the container streams it.
 * Its JSON report says nothing of coverage (3.0.4's `infos` holds target, date, version and
 * scope only), so the log is the source. The lines, from wapitiCore/main/wapiti.py and
 * net/crawler.py, attack/mod_*.py:
 *
 *   Wapiti-3.0.4 (wapiti.sourceforge.io)             the banner: the version
 *   [+] GET http://host/search?q= (1)                 crawl: a request (method, URL, depth);
 *                                                    after "Launching module": a resource the
 *                                                    module attacks (modules that say so, below)
 *   [!] Connection error with URL http://host/        the request just announced failed (also
 *   [!] SSL/TLS error occurred with URL …, [!] ReadTimeout with url …)
 *   Max scan time was reached, stopping.             the crawl was cut short
 *   [*] Saving scan state, please wait...            the crawl is over
 *   [*] Launching module xss                         a module starts
 *   Max attack time was reached for module xss, stopping.   it was stopped before its end
 *   3 requests were skipped due to network issues    some of its requests failed
 *     File "/usr/lib/…/mod_xss.py", line 80, in attack      a traceback: it crashed
 *   Report                                           every module is over
 *
 * A module finished when it was followed by another module or the report, with no stop,
 * failed request or traceback of its own. Requests sent counts what the log names: each crawl
 * request, each resource a module announces (-v 1 does not print payload variants) and each
 * request it reports skipped.
 */
export function wapitiCoverageReader(): CoverageReader {
  let version: string | undefined;
  let phase: 'crawl' | 'between' | 'attack' | 'done' = 'crawl';
  let lastCrawled: string | undefined;
  const crawled = new Set<string>();
  const crawlFailed = new Set<string>();
  let requestsSent = 0;
  let requestsFailed = 0;
  let module: string | undefined;
  const modulesRun: string[] = [];
  const unfinished = new Set<string>();
  const ended = new Set<string>();
  const tested = new Map<string, Set<string>>();

  const endModule = () => {
    if (module !== undefined) ended.add(module);
    module = undefined;
  };

  return {
    line(raw: string): void {
      const text = raw.trimEnd();
      const banner = /^Wapiti-(\S+) \(/.exec(text);
      if (banner) version = banner[1];
      const launched = /^\[\*\] Launching module (\S+)$/.exec(text);
      if (launched?.[1]) {
        endModule();
        phase = 'attack';
        module = launched[1];
        modulesRun.push(module);
        if (ANNOUNCING_MODULES.has(module)) tested.set(module, new Set());
        return;
      }
      if (/^\[\*\] (Saving scan state|Wapiti found \d+ URLs)/.test(text) && phase === 'crawl') {
        phase = 'between';
        return;
      }
      if (/^Report$|^A report has been generated/.test(text)) {
        endModule();
        phase = 'done';
        return;
      }
      const request = /^\[\+\] [A-Z]+ (\S+) \(\d+\)$/.exec(text);
      if (request?.[1]) {
        requestsSent += 1;
        if (phase === 'crawl') {
          lastCrawled = request[1];
          crawled.add(request[1]);
        } else if (module !== undefined) tested.get(module)?.add(normalizeLocation(request[1]));
        return;
      }
      const failed = /^\[!\] (?:Connection error with URL|SSL\/TLS error occurred with URL|\S+ with url) (\S+)/.exec(text);
      if (failed) {
        requestsFailed += 1;
        if (phase === 'crawl') crawlFailed.add(failed[1] ?? lastCrawled ?? '');
        else if (module !== undefined) unfinished.add(module);
        return;
      }
      const skipped = /^(\d+) requests were skipped due to network issues$/.exec(text);
      if (skipped && module !== undefined) {
        // Tried and failed: not among the announced resources, so counted as sent here.
        requestsSent += Number(skipped[1]);
        requestsFailed += Number(skipped[1]);
        unfinished.add(module);
        return;
      }
      const stopped = /^Max attack time was reached for module (\S+), stopping\.$/.exec(text);
      if (stopped?.[1]) {
        unfinished.add(stopped[1]);
        return;
      }
      if (module !== undefined && (/^\s+File ".*", line \d+, in /.test(text) || /^error: .* while attacking /.test(text))) unfinished.add(module);
    },

    result(): LogCoverage {
      const reached = [...crawled].filter((url) => !crawlFailed.has(url));
      return {
        version,
        targetAnswered: reached.length > 0,
        urlsCrawled: reached.length,
        reached: [...new Set(reached.map(normalizeLocation))],
        requestsSent,
        requestsFailed,
        modulesRun,
        // A module is over when the next one or the report began: the last one of a log cut short is not.
        modulesFinished: modulesRun.filter((m) => ended.has(m) && !unfinished.has(m)),
        tested: Object.fromEntries([...tested].map(([m, locations]) => [m, [...locations]])),
      };
    },
  };
}

/**
 * Modules that print every resource they attack at -v 1 (`if self.verbose >= 1: print("[+] …")`
 * in their attack loop): for these the log says which locations they re-tested.
 */
const ANNOUNCING_MODULES = new Set(['blindsql', 'brute_login_form', 'csrf', 'exec', 'file', 'methods', 'permanentxss', 'sql', 'ssrf', 'wapp', 'xss', 'xxe']);

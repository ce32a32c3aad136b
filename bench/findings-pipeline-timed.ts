import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DEFAULT_MAX_REPORT_BYTES } from '../activities/findings/report-parse-error';
import { streamZapReportFile } from '../activities/findings/zap-report';
import { BaselineDiff } from '../domain/baseline';
import type { ScanCoverage } from '../domain/coverage';
import type { FindingSummary } from '../domain/finding';

/**
 * The timed part of `findings-pipeline`, alone in a fresh process so its peak RSS is its
 * own: the baseline (last week's open findings as the store hands them over: summaries), then the
 * report parsed as a stream (normalize + fingerprint included), each finding diffed as it
 * arrives (BaselineDiff) and let go — in a scan it goes on to the store, as ingestReport
 * streams it — then the baseline's findings the scan did not report judged. The diff is the
 * coverage-aware one, with the coverage a complete scan records (coverageOf).
 * Prints one JSON line.
 */
async function main(): Promise<void> {
  const [reportPath, baselinePath] = process.argv.slice(2) as [string, string];
  const start = process.hrtime.bigint();
  const baseline = await readSummaries(baselinePath);
  const diff = new BaselineDiff({ baseline, triage: [], rules: new Map(), firstSeen: new Map(), now: new Date(), failOn: 'high' });
  let instances = 0;
  let findings = 0;
  await streamZapReportFile(reportPath, DEFAULT_MAX_REPORT_BYTES, (finding) => {
    instances += finding.instances.length;
    // Undefined for a later alert's part of a finding already classified: the store merges it into that row.
    if (diff.classify(finding)) findings += 1;
  });
  const result = diff.finish(coverageOf(baseline));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, instances, findings, diff: result.diff }));
}

/**
 * What this week's scan covered, as a scanner worker records it: every rule ran to the end
 * and the crawl reached every place last week's findings were (a moved finding is then
 * fixed, not "not re-tested"), so the diff does its whole coverage-aware work.
 */
function coverageOf(baseline: FindingSummary[]): ScanCoverage {
  const rules = [...new Set(baseline.map((f) => f.ruleId))];
  const reached = baseline.map((f) => f.url);
  return {
    quality: { targetAnswered: true, urlsCrawled: reached.length, requestsSent: reached.length, requestsFailed: 0, modulesRun: rules, modulesFinished: rules, durationSeconds: 0, source: 'bench/findings-pipeline' },
    reached,
    tested: {},
    scanner: { image: 'bench' },
  };
}

/** One summary per line, each parsed as the store's driver parses a row's JSON. */
async function readSummaries(path: string): Promise<FindingSummary[]> {
  const summaries: FindingSummary[] = [];
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) summaries.push(JSON.parse(line) as FindingSummary);
  return summaries;
}

void main();

import { readFileSync } from 'node:fs';
import { parseZapReportFile } from '../activities/findings/zap-report';
import { compareWithBaseline } from '../domain/baseline';
import type { FindingSummary } from '../domain/finding';

/**
 * The timed part of `findings-pipeline`, alone in its own process so its peak RSS is its
 * own: parse + normalize + fingerprint the report, then diff against the baseline
 * findings (as the store would hand them over). Prints one JSON line.
 */
async function main(): Promise<void> {
  const [reportPath, baselinePath] = process.argv.slice(2) as [string, string];
  const start = process.hrtime.bigint();
  const current = await parseZapReportFile(reportPath);
  const baseline = JSON.parse(readFileSync(baselinePath, 'utf8')) as FindingSummary[];
  const result = compareWithBaseline({ current, baseline, triage: [], rules: new Map(), firstSeen: new Map(), now: new Date(), failOn: 'high' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const instances = current.reduce((sum, f) => sum + f.instances.length, 0);
  console.log(JSON.stringify({ seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, instances, findings: current.length, diff: result.diff }));
}

void main();

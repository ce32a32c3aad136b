import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseZapReport } from '../activities/findings/zap-report';
import { projectPath } from '../processes/tool-paths';
import { median, reportBenchmark } from './results-file';
import { syntheticZapReport } from './synthetic-zap-report';

const SHAPE = { sites: 20, alerts: 2_000, instancesPerAlert: 50, seed: 20261123 };
const RUNS = 5;

/**
 * findings-pipeline (BENCHMARKS.md): 100,000 instances over 2,000 alerts and 20 sites,
 * written to disk first; the pipeline runs compiled (as in production) in a fresh process
 * per run; figures are medians of RUNS runs.
 */
export async function findingsPipeline(): Promise<void> {
  const dir = projectPath('.secops', 'bench', 'findings-pipeline');
  mkdirSync(dir, { recursive: true });
  const reportPath = join(dir, 'current.json');
  const baselinePath = join(dir, 'baseline-findings.json');
  writeFileSync(reportPath, syntheticZapReport({ ...SHAPE, variant: true }));
  // The baseline as the store hands it over: summaries of last week's findings (loadScanFindingSummaries).
  const baseline = parseZapReport(syntheticZapReport({ ...SHAPE, variant: false }), 'baseline.json');
  writeFileSync(baselinePath, JSON.stringify(baseline.map(({ fingerprint, engine, ruleId, title, severity, confidence, cwe, url, method, parameter }) => ({ fingerprint, engine, ruleId, title, severity, confidence, cwe, url, method, parameter }))));

  const build = join(dir, 'build');
  execFileSync(process.execPath, [projectPath('node_modules', 'typescript', 'bin', 'tsc'), '-p', projectPath('tsconfig.json'), '--outDir', build, '--noEmit', 'false'], { cwd: projectPath() });
  const runs = Array.from({ length: RUNS }, () =>
    JSON.parse(execFileSync(process.execPath, [join(build, 'bench', 'findings-pipeline-timed.js'), reportPath, baselinePath], { encoding: 'utf8' })) as {
      seconds: number; peakRssMb: number; instances: number; findings: number; diff: Record<string, number>;
    });
  const seconds = median(runs.map((r) => r.seconds));
  const first = runs[0]!;
  reportBenchmark('findings-pipeline', {
    figures: { seconds, peak_rss_mb: median(runs.map((r) => r.peakRssMb)), instances_per_second: first.instances / seconds },
    goals: { seconds: 3, peak_rss_mb: 300 },
    notes: `${first.instances} instances → ${first.findings} findings; diff ${JSON.stringify(first.diff)}; median of ${RUNS} runs, each in a fresh process`,
  });
}

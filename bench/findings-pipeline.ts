import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { mergeZapFinding, streamZapReportFile } from '../activities/findings/zap-report';
import type { Finding } from '../domain/finding';
import { projectPath } from '../processes/tool-paths';
import { reportBenchmark } from './results-file';
import { median } from './statistics';
import { writeSyntheticZapReport, type SyntheticShape } from './synthetic-zap-report';

const SIZES: { suffix: string; shape: SyntheticShape; goals: { seconds: number; peak_rss_mb: number } }[] = [
  { suffix: '100k', shape: { sites: 20, alerts: 2_000, instancesPerAlert: 50, seed: 20261123 }, goals: { seconds: 3, peak_rss_mb: 200 } },
  { suffix: '1m', shape: { sites: 200, alerts: 20_000, instancesPerAlert: 50, seed: 20261123 }, goals: { seconds: 15, peak_rss_mb: 350 } },
];
const RUNS = 5;

interface TimedRun {
  seconds: number;
  peakRssMb: number;
  instances: number;
  findings: number;
  diff: Record<string, number>;
}

/**
 * findings-pipeline (BENCHMARKS.md): per size, a synthetic ZAP report and last week's
 * findings are written to disk first; the pipeline then runs compiled (as in production) in
 * a fresh process per run (findings-pipeline-timed.ts); figures are medians of RUNS runs.
 */
export async function findingsPipeline(): Promise<void> {
  const dir = projectPath('.secops', 'bench', 'findings-pipeline');
  mkdirSync(dir, { recursive: true });
  const build = join(dir, 'build');
  execFileSync(process.execPath, [projectPath('node_modules', 'typescript', 'bin', 'tsc'), '-p', projectPath('tsconfig.json'), '--outDir', build, '--noEmit', 'false'], { cwd: projectPath() });

  const figures: Record<string, number> = {};
  const goals: Record<string, number> = {};
  const notes: string[] = [];
  for (const { suffix, shape, goals: sizeGoals } of SIZES) {
    const reportPath = join(dir, `current-${suffix}.json`);
    const baselinePath = join(dir, `baseline-findings-${suffix}.ndjson`);
    writeSyntheticZapReport(reportPath, { ...shape, variant: true });
    await writeBaseline(join(dir, `baseline-${suffix}.json`), baselinePath, shape);
    const runs: TimedRun[] = [];
    const loads: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      loads.push(loadavg()[0]!);
      runs.push(JSON.parse(execFileSync(process.execPath, [join(build, 'bench', 'findings-pipeline-timed.js'), reportPath, baselinePath], { encoding: 'utf8' })) as TimedRun);
    }
    const seconds = median(runs.map((r) => r.seconds));
    const first = runs[0]!;
    figures[`seconds_${suffix}`] = seconds;
    figures[`peak_rss_mb_${suffix}`] = median(runs.map((r) => r.peakRssMb));
    figures[`instances_per_second_${suffix}`] = first.instances / seconds;
    goals[`seconds_${suffix}`] = sizeGoals.seconds;
    goals[`peak_rss_mb_${suffix}`] = sizeGoals.peak_rss_mb;
    notes.push(`${suffix}: ${first.instances} instances → ${first.findings} findings, diff ${JSON.stringify(first.diff)}; runs ${runs.map((r) => `${r.seconds.toFixed(2)} s/${Math.round(r.peakRssMb)} MB`).join(', ')}; 1-min load ${loads.map((l) => l.toFixed(2)).join(', ')}`);
    rmSync(reportPath);
    rmSync(baselinePath);
  }
  reportBenchmark('findings-pipeline', {
    figures,
    goals,
    notes: `median of ${RUNS} runs per size, each in a fresh process (compiled), ${process.version}, 2 cores shared with other work. ${notes.join('. ')}`,
  });
}

/** Last week's report, parsed, written as the store hands it to the diff: one summary per finding, one per line. */
async function writeBaseline(reportPath: string, summariesPath: string, shape: SyntheticShape): Promise<void> {
  writeSyntheticZapReport(reportPath, { ...shape, variant: false });
  const findings = new Map<string, Finding>();
  await streamZapReportFile(reportPath, Number.MAX_SAFE_INTEGER, (part) => {
    const finding = { ...part, instances: [] };
    const known = findings.get(finding.fingerprint);
    if (known) mergeZapFinding(known, finding);
    else findings.set(finding.fingerprint, finding);
  });
  rmSync(reportPath);
  const fd = openSync(summariesPath, 'w');
  try {
    for (const { fingerprint, engine, ruleId, title, severity, confidence, cwe, url, method, parameter } of findings.values()) {
      writeSync(fd, `${JSON.stringify({ fingerprint, engine, ruleId, title, severity, confidence, cwe, url, method, parameter })}\n`);
    }
  } finally {
    closeSync(fd);
  }
}

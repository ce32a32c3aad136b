import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { renderTable } from '../render/terminal/table';

export interface BenchmarkOutcome {
  figures: Record<string, number>;
  goals: Record<string, number>;
  notes?: string;
}

/** Prints the figures against their goals and writes bench/results/<name>.json (BENCHMARKS.md format). */
export function reportBenchmark(name: string, outcome: BenchmarkOutcome): void {
  const rows = Object.entries(outcome.figures).map(([figure, value]) => [figure, String(round(value)), outcome.goals[figure] === undefined ? '' : String(outcome.goals[figure])]);
  console.log(`\n${name}\n${renderTable(['figure', 'value', 'goal'], rows)}${outcome.notes ? `\n${outcome.notes}` : ''}\n`);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const result = { name, date: new Date().toISOString(), machine: { cpus: cpus().length, node: process.version }, figures: mapValues(outcome.figures, round), goals: outcome.goals, ...(outcome.notes && { notes: outcome.notes }) };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function mapValues(record: Record<string, number>, fn: (v: number) => number): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}

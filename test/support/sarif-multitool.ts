import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import multitool from '@microsoft/sarif-multitool-linux';
import { expect } from 'vitest';

export interface Issue {
  ruleId: string;
  level: string;
  text: string;
}

/**
 * The Multitool's rule families (`--rule-kind`, 5.7.0): `Sarif` (the spec), `Gh` (GitHub
 * code scanning ingestion) and `Ghas` (GitHub Advanced Security: GH1013–GH1018, the log,
 * run, result, location and tool properties GitHub requires; GH2012, rule help).
 */
export const RULE_KINDS = 'Sarif;Gh;Ghas';

/**
 * Microsoft's SARIF Multitool, the validator GitHub's docs point to: the JSON schema and
 * the RULE_KINDS rules. Its verdict is itself a SARIF log; a result without a level is a warning.
 */
export async function validateSarif(file: string): Promise<Issue[]> {
  const out = `${file}.validation.sarif`;
  await promisify(execFile)(multitool, ['validate', file, '--output', out, '--log', 'ForceOverwrite', '--rule-kind', RULE_KINDS], { timeout: 60_000 });
  const log = JSON.parse(readFileSync(out, 'utf8')) as {
    runs: { results?: { ruleId: string; level?: string; message: { text?: string; id?: string; arguments?: string[] } }[]; invocations: { executionSuccessful: boolean }[] }[];
  };
  const run = log.runs[0];
  expect(run?.invocations[0]?.executionSuccessful).toBe(true);
  return (run?.results ?? []).map((r) => ({ ruleId: r.ruleId, level: r.level ?? 'warning', text: r.message.text ?? [r.message.id, ...(r.message.arguments ?? [])].join(' ') }));
}

export function errors(issues: Issue[]): Issue[] {
  return issues.filter((i) => i.level === 'error');
}

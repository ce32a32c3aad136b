import { alertIngest } from './alert-ingest';
import { approvalLatency } from './approval-latency';
import { findingsPipeline } from './findings-pipeline';
import { playbookThroughput } from './playbook-throughput';
import { scanOverhead } from './scan-overhead';

/** `npm run bench -- <name>` runs one benchmark; without a name, all of them. */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  'alert-ingest': alertIngest,
  'approval-latency': approvalLatency,
  'findings-pipeline': findingsPipeline,
  'playbook-throughput': playbookThroughput,
  'scan-overhead': scanOverhead,
};

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !BENCHMARKS[n]);
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) await BENCHMARKS[name]!();
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

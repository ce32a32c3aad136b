import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';

/**
 * The workflows bundle, built from the current sources whenever a process asks (once per
 * process: callers keep it and share it between their Workers). Webpack runs in a
 * short-lived child process (build-workflow-bundle.ts, which holds the bundler options):
 * bundling in the worker itself made its peak RSS ≈ 400 MB before any run
 * (bench/playbook-throughput, worker_peak_rss_before_runs_mb), memory a long-lived worker
 * never gives back. The child writes the code to a file in a private temporary directory,
 * read back here and removed; a failed build rejects with the child's own report.
 */
export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  const dir = await mkdtemp(path.join(tmpdir(), 'secops-workflow-bundle-'));
  try {
    const output = path.join(dir, 'workflows.js');
    await runBuilder(output);
    // Source maps are inline in the code; the SDK no longer reads this field.
    return { code: await readFile(output, 'utf8'), sourceMap: '' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The builder is TypeScript beside this file when this runs from source (`node --import tsx`,
 * or vitest), and is run through tsx as every TypeScript entry is (test/support/run-cli.ts
 * spawnEntry, cli/commands/http.ts); compiled JavaScript in the image, run by node itself.
 */
function builderCommand(output: string): string[] {
  const extension = path.extname(__filename);
  const builder = path.join(__dirname, `build-workflow-bundle${extension}`);
  return extension === '.ts' ? ['--import', 'tsx', builder, output] : [builder, output];
}

function runBuilder(output: string): Promise<void> {
  // stdin stays open (never written) so that the child stops if this process dies first.
  const child = spawn(process.execPath, builderCommand(output), { stdio: ['pipe', 'ignore', 'pipe'] });
  let report = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (report += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`workflow bundle: could not start ${process.execPath}: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) {
        // Webpack's warnings, as the in-process build printed them.
        if (report) process.stderr.write(report);
        resolve();
      } else {
        reject(new Error(`workflow bundle failed to build (${signal ? `signal ${signal}` : `exit code ${code}`}):\n${report.trimEnd() || '(no output)'}`));
      }
    });
  });
}

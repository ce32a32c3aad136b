import { join } from 'node:path';
import { startProcess, type ManagedProcess } from '../processes/child-process';
import { waitUntil } from '../processes/wait-until';

/**
 * worker/main.ts --role control as its own process, as deployed, polling once this resolves:
 * its workflow tasks neither share the benchmark's event loop nor hide in its memory. Node
 * itself runs it, not a launcher (the tsx CLI would fork), so `child.pid` is the worker's.
 * Slack is left out of its environment: the benchmarks measure the platform, not Slack.
 */
export async function startControlWorker(env: NodeJS.ProcessEnv): Promise<ManagedProcess & { output: () => string }> {
  let output = '';
  const worker = startProcess('worker', process.execPath, ['--import', 'tsx', join(__dirname, '..', 'worker', 'main.ts'), '--role', 'control'], {
    env: Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('SLACK_'))),
    log: (line) => (output += `${line}\n`),
  });
  try {
    await waitUntil('worker polling', async () => output.includes('worker: polling'), 120_000, worker.exited);
  } catch (error) {
    await worker.stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return { ...worker, output: () => output };
}

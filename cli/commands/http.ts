import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { projectPath } from '../../processes/tool-paths';

/**
 * `secops http`: the alert webhooks (http/main.ts) in the foreground until Ctrl-C. A process
 * of its own, as the worker and the Slack app are: a front end does not load another.
 */
export function registerHttp(program: Command): void {
  program
    .command('http')
    .description('receive alert webhooks (Alertmanager, Standard Webhooks) and open incidents, until Ctrl-C; listens on config http.listen (127.0.0.1:8089)')
    .action(async () => {
      const child = spawn(process.execPath, entry(), { stdio: 'inherit' });
      // Ctrl-C reaches both processes through the terminal; a SIGTERM sent to this one alone is passed on.
      const forward = () => child.kill('SIGTERM');
      process.once('SIGTERM', forward);
      // Ctrl-C is the child's to handle: it answers what is in flight, then exits.
      process.on('SIGINT', () => undefined);
      const code = await new Promise<number>((resolve) => child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
      process.off('SIGTERM', forward);
      process.exitCode = code;
    });
}

// From a checkout the entry is TypeScript, run through tsx as bin/secops runs this CLI; in the image it is compiled beside this file.
function entry(): string[] {
  const source = projectPath('http', 'main.ts');
  return existsSync(source) ? ['--import', 'tsx', source] : [projectPath('http', 'main.js')];
}

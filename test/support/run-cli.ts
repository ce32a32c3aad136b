import { spawn, type ChildProcess } from 'node:child_process';
import { projectPath } from '../../processes/tool-paths';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a project entry point (bin/secops or a .ts file) the way a user would, and collects its output. */
export function runEntry(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
  const child = spawnEntry(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function spawnEntry(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const [entry, ...rest] = args;
  const command = entry === 'secops' ? [projectPath('bin', 'secops')] : ['--import', 'tsx', projectPath(entry ?? '')];
  return spawn(process.execPath, [...command, ...rest], {
    cwd: projectPath(),
    env: { ...process.env, SECOPS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../processes/tool-paths';

interface Run {
  code: number | null;
  output: string;
}

/** A child vitest with the project's settings on a fixture of one passing and one failing test. */
function runFixture(): Promise<Run> {
  // This run's own VITEST_* variables would make the child think it is one of our workers.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [projectPath('node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', projectPath('test', 'support', 'quiet-output', 'vitest.config.mts')],
      { cwd: projectPath(), env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: child.exitCode ?? (error ? -1 : 0), output: `${stdout}${stderr}` }),
    );
  });
}

describe('test output', () => {
  it("shows a failed test's SDK log with its failure and the summary, hides a passing test's, and keeps both in the named log file", async () => {
    const run = await runFixture();
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(/stderr \| test\/support\/quiet-output\/sdk-logs\.fixture\.ts > fails loudly\n\[WARN\] sdk-log-of-the-failing-test/);
    expect(run.output).toContain("expected 'the failing test' to be 'failed on purpose'");
    expect(run.output).toMatch(/Tests +1 failed \| 1 passed \(2\)/);
    expect(run.output).not.toContain('sdk-log-of-the-passing-test');

    const logFile = /Test logs +(\S+)/.exec(run.output)?.[1];
    expect(logFile, run.output).toBeDefined();
    try {
      const logged = readFileSync(logFile!, 'utf8');
      expect(logged).toMatch(/ of test\/support\/quiet-output\/sdk-logs\.fixture\.ts > passes quietly\n\[WARN\] sdk-log-of-the-passing-test/);
      expect(logged).toMatch(/ of test\/support\/quiet-output\/sdk-logs\.fixture\.ts > fails loudly\n\[WARN\] sdk-log-of-the-failing-test/);
    } finally {
      rmSync(dirname(logFile!), { recursive: true, force: true });
    }
  });
});

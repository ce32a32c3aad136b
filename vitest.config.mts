import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Temporal workers (native bridge + their own worker threads) misbehave in vitest's
    // thread pool (vitest#2065, sdk-typescript#876): run each file in a forked process.
    pool: 'forks',
    // vitest's default is one fewer than the cores: on a 2-core CI machine, one file at a time.
    // The e2e files mostly wait on Temporal, Docker and PostgreSQL, so two run side by side;
    // each draws its ports from its own slice (test/support/ports.ts).
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Worker and SDK chatter of passing tests hides the failures: their console output goes to
    // the run's log file only (TestLogReporter names it), a failed test's is shown with it.
    silent: 'passed-only',
    reporters: ['default', './test/support/test-log-reporter.ts'],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Temporal workers (native bridge + their own worker threads) misbehave in vitest's
    // thread pool (vitest#2065, sdk-typescript#876): run each file in a forked process.
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

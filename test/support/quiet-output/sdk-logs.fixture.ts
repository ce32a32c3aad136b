import { Runtime } from '@temporalio/worker';
import { expect, it } from 'vitest';

// Run by test/unit/quiet-output.test.ts in a child vitest with the project's settings: each test
// logs through the SDK runtime logger, the one every worker and activity logs through.
it('passes quietly', () => {
  Runtime.instance().logger.warn('sdk-log-of-the-passing-test');
  expect(1).toBe(1);
});

it('fails loudly', () => {
  Runtime.instance().logger.warn('sdk-log-of-the-failing-test');
  expect('the failing test').toBe('failed on purpose');
});

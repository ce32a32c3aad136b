import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startTimeSkipping } from '../support/time-skipping';
import { sleepDays } from './fixtures/durable-timer';

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkipping();
  });
  afterAll(() => env?.teardown());

  it('completes a 7-day durable timer without waiting 7 days', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'durable-timer',
      workflowsPath: path.join(__dirname, 'fixtures', 'durable-timer.ts'),
    });
    const before = await env.currentTimeMs();
    const elapsed = await worker.runUntil(
      env.client.workflow.execute(sleepDays, { taskQueue: 'durable-timer', workflowId: 'sleep-7-days', args: [7] }),
    );
    const sevenDays = 7 * 24 * 60 * 60 * 1000;
    // Workflow time moved a full week; the test server's clock with it.
    expect(elapsed).toBeGreaterThanOrEqual(sevenDays);
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(sevenDays);
  });
});

import { describe, expect, it } from 'vitest';
import { CancelledFailure, Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import type { Activities } from '../../activities';
import { parseConfig } from '../../domain/config';
import { dastScanInput } from '../../domain/dast';
import { recordHistory } from '../support/histories';
import { startWorkers } from '../support/workers';
import { dastScan } from '../../workflows/dast-scan';

const config = parseConfig(`
version: 1
artifactsDir: /tmp/secops-artifacts
targets:
  - { id: demo, url: "http://127.0.0.1:8088/", engine: wapiti, scope: { hosts: [127.0.0.1] } }
`);

/**
 * A scan cancelled while its scanner runs (someone stops a scan that attacks the wrong
 * environment): on the dev server, with a runScanner that heartbeats until the cancellation
 * reaches it, as the real container activity does.
 */
describe('dastScan cancelled while the scanner runs', () => {
  it('cancels the scanner, records the scan as cancelled, and ends the run as cancelled', { timeout: 120_000 }, async () => {
    const calls: string[] = [];
    const failures: unknown[] = [];
    let scannerStarted!: () => void;
    const started = new Promise<void>((resolve) => (scannerStarted = resolve));
    let scannerStopped!: (error: unknown) => void;
    const stopped = new Promise<unknown>((resolve) => (scannerStopped = resolve));
    const record = <T>(name: string, value: T) => async () => (calls.push(name), value);
    const activities = {
      checkTargetAddresses: record('checkTargetAddresses', [] as string[]),
      recordScanStarted: record('recordScanStarted', undefined),
      runScanner: async () => {
        calls.push('runScanner');
        const context = Context.current();
        scannerStarted();
        // Cancellation reaches an activity only in a heartbeat's answer.
        const heartbeats = setInterval(() => context.heartbeat(), 500);
        try {
          return await context.cancelled;
        } catch (error) {
          scannerStopped(error);
          throw error;
        } finally {
          clearInterval(heartbeats);
        }
      },
      ingestReport: record('ingestReport', { findings: 0, instances: 0 }),
      recordScanFailed: async (input: unknown) => (calls.push('recordScanFailed'), void failures.push(input)),
    } as unknown as Activities;

    const workers = await startWorkers(activities);
    const workflowId = 'dast:demo:cancelled';
    const { error, status } = await workers.during(async () => {
      const input = dastScanInput({ ...config, taskQueues: workers.taskQueues }, config.targets[0]!, 'cli:test');
      const handle = await workers.client.workflow.start(dastScan, { taskQueue: workers.taskQueues.control, workflowId, args: [input] });
      await started;
      await handle.cancel();
      const outcome = await handle.result().catch((e: unknown) => e);
      // The workers stop only once the scanner activity has given up.
      await stopped;
      await recordHistory(workers.client, workflowId);
      return { error: outcome, status: (await handle.describe()).status.name };
    });

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(status).toBe('CANCELLED');
    expect(await stopped).toBeInstanceOf(CancelledFailure);
    expect(calls).toEqual(['checkTargetAddresses', 'recordScanStarted', 'runScanner', 'recordScanFailed']);
    expect(failures).toEqual([{ scanId: workflowId, error: 'cancelled' }]);
  });
});

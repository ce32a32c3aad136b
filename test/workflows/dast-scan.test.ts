import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { parseConfig } from '../../domain/config';
import { dastScanInput, type DastScanResult } from '../../domain/dast';
import { bundleWorkflows } from '../../worker/workflow-bundle';
import { startTimeSkipping } from '../support/time-skipping';

const config = parseConfig(`
version: 1
taskQueues: { control: dast-control, scanners: dast-scanners }
artifactsDir: /tmp/secops-artifacts
targets:
  - { id: demo, url: "http://127.0.0.1:8088/", engine: wapiti, scope: { hosts: [127.0.0.1] } }
  - { id: metadata, url: "http://169.254.169.254/latest/", engine: zap }
`);
const [demo, metadata] = config.targets;
const counts = { info: 1, low: 2, medium: 1, high: 0, critical: 0 };
const reports = { json: '/r/report.json', sarif: '/r/report.sarif', markdown: '/r/report.md', html: '/r/report.html' };

/** createActivities-shaped fakes that record what the workflow called, in order. */
function fakes(calls: string[], overrides: Partial<Activities> = {}): Activities {
  const record = <T>(name: string, value: T) => async (..._args: unknown[]) => (calls.push(name), value);
  return {
    checkTargetAddresses: record('checkTargetAddresses', [] as string[]),
    recordScanStarted: record('recordScanStarted', undefined),
    runScanner: record('runScanner', { reportPath: '/r/wapiti.json', exitCode: 0, durationMs: 10 }),
    ingestReport: record('ingestReport', { findings: 4, instances: 9 }),
    compareWithBaseline: record('compareWithBaseline', { counts, diff: { new: 1, fixed: 0, persisting: 3, suppressed: 0 }, verdict: 'warn', scanReportPath: '/r/scan-report.json' }),
    publishReports: record('publishReports', reports),
    notifyScan: record('notifyScan', { posted: false }),
    recordScanFailed: record('recordScanFailed', undefined),
    ...overrides,
  } as unknown as Activities;
}

describe('dastScan workflow', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: Awaited<ReturnType<typeof bundleWorkflows>>;
  beforeAll(async () => {
    [env, workflowBundle] = await Promise.all([startTimeSkipping(), bundleWorkflows()]);
  });
  afterAll(() => env?.teardown());

  async function run(id: string, activities: Activities, target = demo!) {
    const workers = await Promise.all(['dast-control', 'dast-scanners'].map((taskQueue) =>
      Worker.create({ connection: env.nativeConnection, taskQueue, activities, ...(taskQueue === 'dast-control' ? { workflowBundle } : {}) })));
    const execution = env.client.workflow.execute('dastScan', { taskQueue: 'dast-control', workflowId: id, args: [dastScanInput(config, target, 'cli:test')] });
    return workers[0]!.runUntil(workers[1]!.runUntil(execution)) as Promise<DastScanResult>;
  }

  it('runs the steps in order and returns counts, diff, verdict and report paths', async () => {
    const calls: string[] = [];
    const result = await run('dast:demo:ok', fakes(calls));
    expect(calls).toEqual(['checkTargetAddresses', 'recordScanStarted', 'runScanner', 'ingestReport', 'compareWithBaseline', 'publishReports', 'notifyScan']);
    expect(result).toEqual({ scanId: 'dast:demo:ok', targetId: 'demo', verdict: 'warn', counts, diff: { new: 1, fixed: 0, persisting: 3, suppressed: 0 }, findings: 4, reports });
    const description = await env.client.workflow.getHandle('dast:demo:ok').describe();
    expect(description.searchAttributes.SecopsVerdict).toEqual(['warn']);
  });

  it('refuses a metadata address before anything runs', async () => {
    const calls: string[] = [];
    const error = await run('dast:metadata:refused', fakes(calls), metadata).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toBe('target metadata refused: 169.254.169.254 is a link-local/metadata address; set scope.allowLinkLocal to scan it');
    expect(calls).toEqual([]);
  });

  it('refuses a host name that resolves to a metadata address', async () => {
    const calls: string[] = [];
    const activities = fakes(calls, { checkTargetAddresses: async () => (calls.push('checkTargetAddresses'), ['demo.test resolves to link-local/metadata address 169.254.169.254']) });
    const error = await run('dast:demo:dns', activities).catch((e: unknown) => e);
    expect((error as WorkflowFailedError).cause?.message).toContain('resolves to link-local/metadata address 169.254.169.254');
    expect(calls).toEqual(['checkTargetAddresses']);
  });

  it('records the scan as failed, with the reason, when the report is malformed', async () => {
    const calls: string[] = [];
    const failures: unknown[] = [];
    const activities = fakes(calls, {
      ingestReport: async () => {
        throw ApplicationFailure.nonRetryable('/r/wapiti.json: truncated or malformed JSON at position 120', 'MalformedReport');
      },
      recordScanFailed: async (input: unknown) => void failures.push(input),
    });
    const error = await run('dast:demo:malformed', activities).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(failures).toEqual([{ scanId: 'dast:demo:malformed', error: '/r/wapiti.json: truncated or malformed JSON at position 120' }]);
    expect(calls).not.toContain('compareWithBaseline');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import type { CheckResult } from '../../domain/preflight';
import { bundleWorkflows } from '../../worker/workflow-bundle';
import { startTimeSkipping } from '../support/time-skipping';
import { preflight } from '../../workflows/preflight';

const ok = (check: string): CheckResult => ({ check, status: 'ok', detail: `${check} fine` });

/** createActivities-shaped fakes: the workflow's routing and error handling is what is tested here. */
function fakeActivities(overrides: Partial<Activities> = {}): Activities {
  return ({
    checkDocker: async () => ok('docker'),
    checkScannerImages: async (images: string[]) => ({ check: 'scanner images', status: 'ok', detail: images.join(',') }),
    checkStore: async () => ok('store'),
    checkSlack: async () => ok('slack'),
    ...overrides,
  }) as unknown as Activities;
}

describe('preflight workflow', () => {
  let env: TestWorkflowEnvironment;
  const taskQueues = { control: 'pf-control', scanners: 'pf-scanners' };
  let workflowBundle: Awaited<ReturnType<typeof bundleWorkflows>>;

  beforeAll(async () => {
    [env, workflowBundle] = await Promise.all([startTimeSkipping(), bundleWorkflows()]);
  });
  afterAll(() => env?.teardown());

  async function worker(role: 'control' | 'scanners', activities: Activities) {
    return Worker.create({
      connection: env.nativeConnection,
      taskQueue: taskQueues[role],
      activities,
      ...(role === 'control' ? { workflowBundle } : {}),
    });
  }

  const start = (id: string) =>
    env.client.workflow.execute(preflight, { taskQueue: taskQueues.control, workflowId: id, args: [{ taskQueues, scannerImages: ['img:1'] }] });

  it('runs each check on its role and passes the images through', async () => {
    const seen: string[] = [];
    const control = await worker('control', fakeActivities({ checkDocker: async () => { throw new Error('docker must run on the scanner queue'); } }));
    const scanners = await worker('scanners', fakeActivities({
      checkDocker: async () => (seen.push('docker'), ok('docker')),
      checkStore: async () => { throw new Error('store must run on the control queue'); },
    }));
    const report = await control.runUntil(scanners.runUntil(start('pf-routing')));
    expect(report.status).toBe('ok');
    expect(report.checks.map((c: CheckResult) => c.check)).toEqual(['docker', 'scanner images', 'store', 'slack']);
    expect(report.checks[1]?.detail).toBe('img:1');
    expect(seen).toEqual(['docker']);
  });

  it('reports a throwing check as failed with its message, and the others still run', async () => {
    const activities = fakeActivities({ checkStore: async () => { throw new Error('connection refused'); } });
    const control = await worker('control', activities);
    const scanners = await worker('scanners', activities);
    const report = await control.runUntil(scanners.runUntil(start('pf-throwing')));
    expect(report.status).toBe('failed');
    expect(report.checks.find((c: CheckResult) => c.check === 'store')).toEqual({ check: 'store', status: 'failed', detail: 'connection refused' });
    expect(report.checks.filter((c: CheckResult) => c.status === 'ok')).toHaveLength(3);
  });

  it('names the task queue when no scanner worker is running', async () => {
    const control = await worker('control', fakeActivities());
    const report = await control.runUntil(start('pf-no-scanner'));
    expect(report.checks.filter((c: CheckResult) => c.status === 'failed').map((c: CheckResult) => [c.check, c.detail])).toEqual([
      ['docker', 'no worker polls task queue pf-scanners'],
      ['scanner images', 'no worker polls task queue pf-scanners'],
    ]);
  });
});

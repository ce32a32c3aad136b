import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { LABELS } from '../../activities/scanners/container-spec';
import { waitUntil } from '../../processes/wait-until';
import { parseConfig, type Config } from '../../domain/config';
import { dastScanInput, type DastScanResult } from '../../domain/dast';
import { migrate } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { watchRemoval } from '../support/container-events';
import { spawnEntry } from '../support/run-cli';
import { startSlowSite, type SlowSite } from '../support/slow-site';
import { devServerClient, startWorkers, uniqueTaskQueues } from '../support/workers';
import { dastScan } from '../../workflows/dast-scan';

/** Cancelling a scan and killing its worker mid-scan, with the real Docker Engine and Wapiti. */
describe('DAST scan resilience', () => {
  const docker = new Docker();
  let fresh: FreshDatabase;
  let site: SlowSite;
  let config: Config;
  let configPath: string;

  beforeAll(async () => {
    [fresh, site] = await Promise.all([freshDatabase(), startSlowSite(400)]);
    await migrate(fresh.db);
    const dir = mkdtempSync(join(tmpdir(), 'secops-resilience-'));
    const queues = uniqueTaskQueues();
    const yaml = `version: 1
taskQueues: { control: ${queues.control}, scanners: ${queues.scanners} }
artifactsDir: ${dir}/artifacts
targets:
  - { id: slow, url: "${site.url}", engine: wapiti, scope: { hosts: [127.0.0.1] }, maxScanMinutes: 5 }
`;
    configPath = join(dir, 'secops.config.yaml');
    writeFileSync(configPath, yaml);
    config = parseConfig(yaml);
  });
  afterAll(async () => {
    await site?.close();
    await fresh?.drop();
  });

  const containersOf = (workflowId: string) => docker.listContainers({ all: true, filters: { label: [`${LABELS.workflowId}=${workflowId}`] } });
  const firstContainer = async (workflowId: string) => {
    let id = '';
    await waitUntil(`a scanner container for ${workflowId}`, async () => Boolean((id = (await containersOf(workflowId))[0]?.Id ?? '')), 60_000);
    return id;
  };

  it('cancelling a running scan removes its container and records the scan as cancelled', { timeout: 120_000 }, async () => {
    site.setDelay(400);
    const workers = await startWorkers(createActivities({ docker, store: { db: fresh.db, url: fresh.url }, slack: undefined }));
    const workflowId = `dast:slow:cancel-${randomUUID().slice(0, 8)}`;
    const removal = await watchRemoval(docker, `${LABELS.workflowId}=${workflowId}`);
    try {
      await workers.during(async () => {
        const input = dastScanInput({ ...config, taskQueues: workers.taskQueues }, config.targets[0]!, 'cli:e2e');
        const handle = await workers.client.workflow.start(dastScan, { taskQueue: workers.taskQueues.control, workflowId, args: [input] });
        const scanning = await firstContainer(workflowId);
        await handle.cancel();
        expect(await removal.removed).toBe(scanning);
        const failure: unknown = await handle.result().then(() => undefined, (error: unknown) => error);
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
        expect(await containersOf(workflowId)).toEqual([]);
      });
    } finally {
      removal.close();
    }
    const { rows } = await fresh.db.query(`SELECT status, error FROM scans WHERE id = $1`, [workflowId]);
    expect(rows).toEqual([{ status: 'failed', error: 'cancelled' }]);
  });

  it('kill -9 of the worker mid-scan: after a restart the scan completes, one report ingested, no container left', { timeout: 240_000 }, async () => {
    site.setDelay(400);
    const env = { TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: fresh.url, SECOPS_CONFIG: configPath };
    const client = await devServerClient();
    const workflowId = `dast:slow:kill-${randomUUID().slice(0, 8)}`;
    const output: string[] = [];
    const startWorker = () => {
      const child = spawnEntry(['worker/main.ts'], env);
      child.stdout?.on('data', (chunk) => output.push(String(chunk)));
      child.stderr?.on('data', (chunk) => output.push(String(chunk)));
      return child;
    };
    try {
      const first = startWorker();
      const handle = await client.workflow.start(dastScan, {
        taskQueue: config.taskQueues.control, workflowId, args: [dastScanInput(config, config.targets[0]!, 'cli:e2e')],
      });
      const orphan = await firstContainer(handle.workflowId);
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      site.setDelay(0);

      const second = startWorker();
      const result = (await handle.result()) as DastScanResult;
      second.kill('SIGTERM');
      await new Promise((resolve) => second.once('exit', resolve));

      // The slow site's pages carry no flaw but missing security headers and no CSP: one low
      // finding per missing header (four) and one for the CSP, all new in this first completed scan.
      expect(result, output.join('')).toMatchObject({
        scanId: workflowId,
        targetId: 'slow',
        verdict: 'warn',
        counts: { info: 0, low: 5, medium: 0, high: 0, critical: 0 },
        diff: { new: 5, fixed: 0, persisting: 0, suppressed: 0 },
        findings: 5,
      });
      const history = await handle.fetchHistory();
      // Control steps are local activities: each leaves one marker in history when it completes.
      const localActivities = (history.events ?? [])
        .flatMap((e) => e.markerRecordedEventAttributes?.details?.data?.payloads ?? [])
        .map((payload) => (JSON.parse(Buffer.from(payload.data ?? []).toString('utf8')) as { activity_type?: string }).activity_type);
      expect(localActivities.filter((name) => name === 'ingestReport')).toHaveLength(1);
      const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes?.attempt);
      expect(Math.max(...attempts.map(Number))).toBeGreaterThanOrEqual(2); // runScanner was retried after the kill
      const { rows } = await fresh.db.query(`SELECT status, (SELECT count(*) FROM scan_findings WHERE scan_id = scans.id)::int AS findings FROM scans WHERE id = $1`, [workflowId]);
      expect(rows).toEqual([{ status: 'completed', findings: result.findings }]);
      expect(await containersOf(handle.workflowId)).toEqual([]);
      expect(await docker.getContainer(orphan).inspect().then(() => 'present', () => 'gone')).toBe('gone');
    } finally {
      await client.connection.close();
    }
  });
});

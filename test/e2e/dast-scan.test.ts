import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { LABELS } from '../../activities/scanners/container-spec';
import { projectPath } from '../../processes/tool-paths';
import { parseConfig, type Config } from '../../domain/config';
import { dastScanInput, type DastScanResult } from '../../domain/dast';
import type { ScanReport } from '../../domain/scan-report';
import { startVulnerableApp, type VulnerableApp } from '../../demo/vulnerable-app';
import { migrate } from '../../store/migrations';
import { containerEventsOf, inspectWhenCreated } from '../support/container-events';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { errors, validateSarif } from '../support/sarif-multitool';
import { WAPITI_IMAGE } from '../support/scanner-images';
import { recordHistory } from '../support/histories';
import { startWorkers, type RunningWorkers } from '../support/workers';
import { dastScan } from '../../workflows/dast-scan';

/** The real thing: dev server, real workers, real Docker Engine, the real Wapiti image, the demo app, real PostgreSQL. */
describe('DAST scan end to end', () => {
  const docker = new Docker();
  let fresh: FreshDatabase;
  let app: VulnerableApp;
  let config: Config;

  beforeAll(async () => {
    [fresh, app] = await Promise.all([freshDatabase(), startVulnerableApp()]);
    await migrate(fresh.db);
    config = parseConfig(`
version: 1
artifactsDir: ${mkdtempSync(join(tmpdir(), 'secops-artifacts-'))}
targets:
  - { id: demo-e2e, url: "${app.url}", engine: wapiti, scope: { hosts: [127.0.0.1] }, maxScanMinutes: 5 }
  - { id: no-image, url: "${app.url}", engine: wapiti, scope: { hosts: [127.0.0.1] } }
`);
  });
  afterAll(async () => {
    await app?.stop();
    await fresh?.drop();
  });

  const activities = () => createActivities({ docker, store: { db: fresh.db, url: fresh.url }, slack: undefined });
  const start = (workers: RunningWorkers, id: string, targetIndex = 0, images = config.scanners.images) =>
    workers.client.workflow.start(dastScan, {
      taskQueue: workers.taskQueues.control,
      workflowId: id,
      args: [dastScanInput({ ...config, scanners: { images }, taskQueues: workers.taskQueues }, config.targets[targetIndex]!, 'cli:e2e')],
    });

  async function containersOf(workflowId: string) {
    return docker.listContainers({ all: true, filters: { label: [`${LABELS.workflowId}=${workflowId}`] } });
  }

  it('finds the XSS, gives identical fingerprints on a rescan with 0 new, writes valid SARIF, in a hardened container', { timeout: 240_000 }, async () => {
    const workers = await startWorkers(activities());
    const { first, second, inspected } = await workers.during(async () => {
      const container = await inspectWhenCreated(docker, 'dast:demo-e2e:first', 120_000);
      const handle = await start(workers, 'dast:demo-e2e:first');
      const inspected = await container.inspected;
      const first = (await handle.result()) as DastScanResult;
      const second = (await (await start(workers, 'dast:demo-e2e:second')).result()) as DastScanResult;
      await recordHistory(workers.client, 'dast:demo-e2e:second');
      return { first, second, inspected };
    });

    expect(inspected.HostConfig).toMatchObject({ NetworkMode: 'host', CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'], ReadonlyRootfs: true, Memory: 2048 * 1024 * 1024, NanoCpus: 1e9, PidsLimit: 512 });
    expect(inspected.Config.Labels).toMatchObject({ [LABELS.managed]: 'true', [LABELS.workflowId]: 'dast:demo-e2e:first' });
    expect(inspected.Config.Image).toBe(WAPITI_IMAGE);

    const firstReport = JSON.parse(readFileSync(first.reports.json, 'utf8')) as ScanReport;
    const secondReport = JSON.parse(readFileSync(second.reports.json, 'utf8')) as ScanReport;
    const xss = firstReport.findings.find((f) => f.cwe === 79 && f.url.endsWith('/search') && f.parameter === 'q');
    expect(xss, JSON.stringify(firstReport.findings.map((f) => [f.ruleId, f.url, f.parameter]))).toBeDefined();
    expect(firstReport.findings.some((f) => f.cwe === 89 && f.url.endsWith('/product') && f.parameter === 'id')).toBe(true);
    expect(firstReport.findings.some((f) => f.cwe === 601 && f.url.endsWith('/redirect'))).toBe(true);

    expect(first.diff.new).toBe(first.findings);
    expect(second.diff).toEqual({ new: 0, fixed: 0, persisting: first.findings, suppressed: 0, notRetested: 0 });
    expect(secondReport.findings.map((f) => f.fingerprint).sort()).toEqual(firstReport.findings.map((f) => f.fingerprint).sort());
    expect(await containersOf('dast:demo-e2e:first')).toEqual([]);

    expect(errors(await validateSarif(second.reports.sarif))).toEqual([]);
    if (process.env.SECOPS_RECORD_FIXTURES === '1') copyFileSync(join(first.reports.json, '..', 'wapiti', 'report.json'), projectPath('test', 'fixtures', 'wapiti', 'real-demo-app.json'));
  });

  it('fails clearly, before any container exists, when the scanner image is missing', { timeout: 60_000 }, async () => {
    const workers = await startWorkers(activities());
    const since = new Date();
    const error = await workers.during(async () => (await start(workers, 'dast:no-image:1', 1, { zap: 'x', wapiti: 'secops-flow/never-built:latest' })).result().catch((e: unknown) => e));
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(String(((error as WorkflowFailedError).cause?.cause as Error | undefined)?.message)).toMatch(/secops-flow\/never-built:latest.*secops scanners build/s);
    expect(await containerEventsOf(docker, 'dast:no-image:1', since)).toEqual([]);
    const { rows } = await fresh.db.query(`SELECT status, error FROM scans WHERE id = 'dast:no-image:1'`);
    expect(rows).toEqual([{ status: 'failed', error: expect.stringContaining('never-built') }]);
  });
});

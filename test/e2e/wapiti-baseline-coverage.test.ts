import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { WAPITI_MODULES } from '../../activities/scanners/wapiti-modules';
import { parseConfig, type Config } from '../../domain/config';
import { dastScanInput, type DastScanResult } from '../../domain/dast';
import type { ScanReport } from '../../domain/scan-report';
import { startVulnerableApp, type VulnerableApp } from '../../demo/vulnerable-app';
import { migrate } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { startWorkers } from '../support/workers';
import { dastScan } from '../../workflows/dast-scan';

/**
 * Default coverage (issue 11): one real Wapiti scan of the demo app with the baseline
 * profile and no module list, through the whole workflow, finds the classes the old default
 * set left out, and reports each missing header as its own finding.
 */
describe('Wapiti baseline profile on the demo app', () => {
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
  - { id: demo-baseline, url: "${app.url}", engine: wapiti, profile: baseline, scope: { hosts: [127.0.0.1] }, maxScanMinutes: 5 }
`);
  });
  afterAll(async () => {
    await app?.stop();
    await fresh?.drop();
  });

  it('finds path traversal and command execution, and each missing header on its own', { timeout: 240_000 }, async () => {
    const target = config.targets[0]!;
    expect(target.wapitiModules).toBeUndefined();
    expect(WAPITI_MODULES.baseline).toEqual(expect.arrayContaining(['file', 'exec', 'xss', 'sql', 'crlf', 'redirect', 'http_headers', 'cookieflags', 'csp']));

    const workers = await startWorkers(createActivities({ docker, store: { db: fresh.db, url: fresh.url }, slack: undefined }));
    const started = Date.now();
    const result = await workers.during(async () => {
      const handle = await workers.client.workflow.start(dastScan, {
        taskQueue: workers.taskQueues.control,
        workflowId: 'dast:demo-baseline:1',
        args: [dastScanInput({ ...config, taskQueues: workers.taskQueues }, target, 'cli:e2e')],
      });
      return (await handle.result()) as DastScanResult;
    });
    // A figure for the notes, never an assertion: the whole run, workers and container included.
    console.log(`baseline scan of the demo app through the workflow: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const report = JSON.parse(readFileSync(result.reports.json, 'utf8')) as ScanReport;
    const seen = JSON.stringify(report.findings.map((f) => [f.ruleId, f.url, f.parameter]));
    expect(report.findings.find((f) => f.ruleId === 'path-traversal'), seen).toMatchObject({ cwe: 22, severity: 'critical', url: `${app.url}file`, parameter: 'name' });
    expect(report.findings.find((f) => f.ruleId === 'command-execution'), seen).toMatchObject({ cwe: 78, severity: 'critical', url: `${app.url}ping`, parameter: 'host' });
    expect(report.findings.filter((f) => f.ruleId === 'http-secure-headers').map((f) => f.parameter).sort(), seen)
      .toEqual(['Strict-Transport-Security', 'X-Content-Type-Options', 'X-Frame-Options', 'X-XSS-Protection']);
    expect(report.findings.filter((f) => f.ruleId === 'content-security-policy-configuration'), seen).toHaveLength(1);
  });
});

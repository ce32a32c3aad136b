import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { startVulnerableApp, type VulnerableApp } from '../../demo/vulnerable-app';
import { migrate } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { runEntry } from '../support/run-cli';
import { startWorkers } from '../support/workers';

/** `secops scan`, `secops findings list|export` as a pipeline would run them, against real workers. */
describe('secops scan and secops findings', () => {
  let fresh: FreshDatabase;
  let app: VulnerableApp;
  beforeAll(async () => {
    [fresh, app] = await Promise.all([freshDatabase(), startVulnerableApp()]);
    await migrate(fresh.db);
  });
  afterAll(async () => {
    await app?.stop();
    await fresh?.drop();
  });

  it('scans, exits with the verdict code, and lists and exports the findings', { timeout: 180_000 }, async () => {
    const workers = await startWorkers(createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: undefined }));
    const dir = mkdtempSync(join(tmpdir(), 'secops-cli-scan-'));
    const configPath = join(dir, 'secops.config.yaml');
    writeFileSync(join(dir, 'rules.tsv'), 'sql-injection\tFAIL\tSQL Injection\n');
    writeFileSync(configPath, `version: 1
taskQueues: { control: ${workers.taskQueues.control}, scanners: ${workers.taskQueues.scanners} }
artifactsDir: ${dir}/artifacts
targets:
  - { id: shop, url: "${app.url}", engine: wapiti, scope: { hosts: [127.0.0.1] }, rulesFile: ${dir}/rules.tsv }
  - { id: quiet, url: "${app.url}search", engine: wapiti, scope: { hosts: [127.0.0.1] }, wapitiModules: [redirect] }
`);
    const env = { SECOPS_CONFIG: configPath, TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: fresh.url };
    const [scan, unknown] = await workers.during(() => Promise.all([
      runEntry(['secops', 'scan', 'shop'], env, 150_000),
      runEntry(['secops', 'scan', 'nope'], env),
    ]));

    expect(scan.stderr).toBe('');
    expect(scan.code).toBe(1); // the rules file makes SQL injection FAIL: a pipeline stops here
    expect(scan.stdout).toMatch(/^scan dast:shop:\S+: FAIL — \d+ new, 0 fixed, 0 persisting, 0 suppressed$/m);
    expect(scan.stdout).toMatch(/^new +critical +SQL Injection +http:\/\/127\.0\.0\.1:\d+\/product \[id\] +FAIL$/m);
    expect(scan.stdout).toMatch(/^SARIF: +\/\S+\/report\.sarif$/m);
    expect(unknown).toMatchObject({ code: 3, stderr: 'error: secops scan is invalid:\n  - target: unknown target "nope" (known: shop, quiet)\n' });

    const list = await runEntry(['secops', 'findings', 'list', '--target', 'shop'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^open +medium +Cross Site Scripting +http:\/\/127\.0\.0\.1:\d+\/search \[q\]/m);
    const exported = await runEntry(['secops', 'findings', 'export', '--target', 'shop', '--format', 'sarif'], env);
    const sarif = JSON.parse(exported.stdout) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]?.results.map((r) => r.ruleId)).toContain('sql-injection');
    const badFormat = await runEntry(['secops', 'findings', 'export', '--target', 'shop', '--format', 'pdf'], env);
    expect(badFormat).toMatchObject({ code: 2, stderr: 'error: secops findings export is invalid:\n  - --format: must be one of json, sarif, md, html\n' });
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { pendingApprovals } from '../../client/pending-approvals';
import { waitUntil } from '../../processes/wait-until';
import type { PendingApproval } from '../../domain/approval-rules';
import type { DastScanInput, DastScanResult } from '../../domain/dast';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import type { TaskQueueNames } from '../../domain/task-queues';
import { startVulnerableApp, type VulnerableApp } from '../../demo/vulnerable-app';
import { migrate } from '../../store/migrations';
import { containerEventsOf } from '../support/container-events';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { runEntry } from '../support/run-cli';
import { uniqueTargetId } from '../support/slack-app-harness';
import { startWorkers } from '../support/workers';
import { testCliUser, testKeyPem } from '../support/test-ballots';

/** `secops scan`, `secops findings list|export` as a pipeline would run them, against real workers. */
describe('secops scan and secops findings', () => {
  let fresh: FreshDatabase;
  let app: VulnerableApp;
  // Unique: approvals and runs are listed across the whole dev server, which other files share.
  const quiet = uniqueTargetId('quiet');
  beforeAll(async () => {
    [fresh, app] = await Promise.all([freshDatabase(), startVulnerableApp()]);
    await migrate(fresh.db);
  });
  afterAll(async () => {
    await app?.stop();
    await fresh?.drop();
  });

  /** The config as a user writes it, on these workers' task queues; the env the CLI runs with. */
  function cliSetup(taskQueues: TaskQueueNames, user = 'alice') {
    const dir = mkdtempSync(join(tmpdir(), 'secops-cli-scan-'));
    const configPath = join(dir, 'secops.config.yaml');
    writeFileSync(join(dir, 'rules.tsv'), 'sql-injection\tFAIL\tSQL Injection\n');
    writeFileSync(configPath, `version: 1
taskQueues: { control: ${taskQueues.control}, scanners: ${taskQueues.scanners} }
artifactsDir: ${dir}/artifacts
approvals:
  dast.active-scan: { approvers: { cliUsers: [${JSON.stringify(testCliUser('alice'))}, ${JSON.stringify(testCliUser('bob'))}] }, quorum: 1, fourEyes: true, timeout: 1h }
targets:
  - { id: shop, url: "${app.url}", engine: wapiti, scope: { hosts: [127.0.0.1] }, rulesFile: ${dir}/rules.tsv }
  - { id: ${quiet}, url: "${app.url}search", engine: wapiti, scope: { hosts: [127.0.0.1] }, wapitiModules: [redirect] }
`);
    return { SECOPS_CONFIG: configPath, SECOPS_USER: user, TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: fresh.url };
  }
  const activities = () => createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: undefined });
  const startedId = (stdout: string) => /^scan started: (dast:\S+)$/m.exec(stdout)?.[1] ?? '';
  async function inputOf(handle: WorkflowHandle): Promise<DastScanInput> {
    const history = await handle.fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    return defaultPayloadConverter.fromPayload(payload!);
  }

  it('scans, exits with the verdict code, and lists and exports the findings', { timeout: 180_000 }, async () => {
    const workers = await startWorkers(activities());
    const env = cliSetup(workers.taskQueues);
    const [scan, unknown] = await workers.during(() => Promise.all([
      runEntry(['secops', 'scan', 'shop'], env, 150_000),
      runEntry(['secops', 'scan', 'nope'], env),
    ]));

    expect(scan.stderr).toBe('');
    expect(scan.code).toBe(1); // the rules file makes SQL injection FAIL: a pipeline stops here
    expect(scan.stdout).toMatch(/^scan dast:shop:\S+: FAIL — \d+ new, 0 fixed, 0 persisting, 0 suppressed$/m);
    expect(scan.stdout).toMatch(/^new +critical +SQL Injection +http:\/\/127\.0\.0\.1:\d+\/product \[id\] +FAIL$/m);
    expect(scan.stdout).toMatch(/^SARIF: +\/\S+\/report\.sarif$/m);
    expect(unknown).toMatchObject({ code: 3, stderr: `error: secops scan is invalid:\n  - target: unknown target "nope" (known: shop, ${quiet})\n` });

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

  it('--no-wait prints the run id and how to follow it, and exits 0 without waiting; the run then completes, as secops status says', { timeout: 180_000 }, async () => {
    const workers = await startWorkers(activities());
    const env = { ...cliSetup(workers.taskQueues), TEMPORAL_UI_URL: 'http://127.0.0.1:8233' };
    // No worker polls yet, so the run cannot progress: the CLI exiting proves it did not wait.
    const started = await runEntry(['secops', 'scan', quiet, '--no-wait'], env);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    const id = startedId(started.stdout);
    expect(id).toMatch(new RegExp(`^dast:${quiet}:\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z$`));
    expect(started.stdout).toBe(`scan started: ${id}\nfollow it: secops status ${id}\nTemporal UI: http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(id)}\n`);
    const running = await runEntry(['secops', 'status', id], env);
    expect(running).toMatchObject({ code: 0, stderr: '' });
    expect(running.stdout).toMatch(new RegExp(`^${id} \\(dastScan\\): running\\nstarted \\S+\\nTemporal UI: \\S+\\n$`));
    const handle = workers.client.workflow.getHandle(id);
    const waiting = await handle.describe();
    expect(waiting.status.name).toBe('RUNNING');
    expect(waiting.historyLength).toBe(2); // started, first workflow task scheduled: nothing taken yet
    expect(waiting.typedSearchAttributes.get(SEARCH_ATTRIBUTES.target)).toBe(quiet);
    expect(await inputOf(handle)).toMatchObject({ target: { id: quiet, profile: 'baseline' }, requestedBy: 'cli:alice', taskQueues: workers.taskQueues });

    const { result, finished } = await workers.during(async () => ({ result: (await handle.result()) as DastScanResult, finished: await handle.describe() }));
    expect(result).toMatchObject({ scanId: handle.workflowId, targetId: quiet });
    expect(finished.status.name).toBe('COMPLETED');
    const { rows } = await fresh.db.query('SELECT status FROM scans WHERE id = $1', [handle.workflowId]);
    expect(rows).toEqual([{ status: 'completed' }]);
    const done = await runEntry(['secops', 'status', id], env);
    expect(done).toMatchObject({ code: 0, stderr: '' });
    expect(done.stdout).toMatch(new RegExp(`^${id} \\(dastScan\\): completed\\nstarted \\S+, closed \\S+\\nverdict ${result.verdict.toUpperCase()} · critical \\d+ · high \\d+ · medium \\d+ · low \\d+ · info \\d+\\n${result.diff.new} new, 0 fixed, 0 persisting, 0 suppressed\\n`));
    const unknown = await runEntry(['secops', 'status', `${id}-nope`], env);
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: `error: secops status is invalid:\n  - <workflowId>: no run ${id}-nope in namespace default\n` });
  });

  it('--profile full goes through the active-scan approval gate; a rejection fails the scan with exit 3 and no container', { timeout: 240_000 }, async () => {
    const since = new Date();
    const workers = await startWorkers(activities());
    const env = cliSetup(workers.taskQueues);
    const { scan, pending, input } = await workers.during(async () => {
      const running = runEntry(['secops', 'scan', quiet, '--profile', 'full'], env);
      let pending: PendingApproval | undefined;
      await waitUntil(`the approval request of the full scan of ${quiet}`, async () =>
        Boolean((pending = (await pendingApprovals(workers.client)).find((p) => p.workflowId.startsWith(`dast:${quiet}:`)))), 60_000);
      const input = await inputOf(workers.client.workflow.getHandle(pending!.workflowId));
      const rejected = await runEntry(['secops', 'approvals', 'reject', pending!.approvalId, '--reason', 'not during the freeze'], { ...env, SECOPS_USER: 'bob', SECOPS_BALLOT_KEY: testKeyPem('bob') });
      expect(rejected).toMatchObject({ code: 0, stdout: `${pending!.approvalId}: REJECTED (not during the freeze)\n` });
      return { scan: await running, pending: pending!, input };
    });

    expect(input).toMatchObject({ target: { id: quiet, profile: 'full' }, requestedBy: 'cli:alice' });
    expect(pending).toMatchObject({ action: 'dast.active-scan', risk: 'high', requestedBy: 'cli:alice', summary: expect.stringContaining(`Active full scan of ${quiet}`) });
    expect(scan.stdout).toBe(`scan started: ${pending.workflowId}\n`);
    expect(scan).toMatchObject({ code: 3, stderr: `error: scan ${pending.workflowId} failed: active scan of ${quiet} not approved: not during the freeze\n` });
    expect(await containerEventsOf(new Docker(), pending.workflowId, since)).toEqual([]);
    expect((await fresh.db.query('SELECT id FROM scans WHERE id = $1', [pending.workflowId])).rows).toEqual([]);
  });

  it('refuses an unknown --profile before connecting to Temporal', async () => {
    // Nothing listens there: had the CLI tried to start a run, it would say Temporal is unreachable.
    const env = { ...cliSetup({ control: 'unused-control', scanners: 'unused-scanners' }), TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` };
    const result = await runEntry(['secops', 'scan', quiet, '--profile', 'aggressive'], env);
    expect(result).toMatchObject({ code: 3, stdout: '', stderr: 'error: secops scan is invalid:\n  - --profile: must be baseline, full or api\n' });
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { pendingApprovals } from '../../client/pending-approvals';
import { waitUntil } from '../../processes/wait-until';
import { parseConfig, type Config } from '../../domain/config';
import { dastScanInput, type DastScanResult } from '../../domain/dast';
import type { PendingApproval } from '../../domain/approval-rules';
import type { ScanReport } from '../../domain/scan-report';
import { startVulnerableApp, type VulnerableApp } from '../../demo/vulnerable-app';
import { listAuditEvents } from '../../store/audit-events';
import { migrate } from '../../store/migrations';
import { containerEventsOf } from '../support/container-events';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { runEntry } from '../support/run-cli';
import { recordHistory } from '../support/histories';
import { startWorkers, type RunningWorkers } from '../support/workers';
import { testCliUser, testKeyPem } from '../support/test-ballots';
import { dastScan } from '../../workflows/dast-scan';

/** An active (full) scan waits for a CLI approval under a four-eyes policy; `secops approvals` is the front end. */
describe('active DAST profile through the approval gate', () => {
  const docker = new Docker();
  let fresh: FreshDatabase;
  let app: VulnerableApp;
  let config: Config;
  let configPath: string;

  // The full profile is what asks for the approval; the modules are the three whose findings
  // the approved scan must show, not the full set, whose time-based checks take minutes.
  beforeAll(async () => {
    [fresh, app] = await Promise.all([freshDatabase(), startVulnerableApp()]);
    await migrate(fresh.db);
    const dir = mkdtempSync(join(tmpdir(), 'secops-gate-'));
    const yaml = `version: 1
artifactsDir: ${dir}/artifacts
approvals:
  dast.active-scan: { approvers: { cliUsers: [${JSON.stringify(testCliUser('alice'))}, ${JSON.stringify(testCliUser('bob'))}] }, quorum: 1, fourEyes: true, timeout: 1h }
targets:
  - { id: gated, url: "${app.url}", engine: wapiti, profile: full, scope: { hosts: [127.0.0.1] }, maxScanMinutes: 5, wapitiModules: [sql, xss, redirect] }
`;
    configPath = join(dir, 'secops.config.yaml');
    writeFileSync(configPath, yaml);
    config = parseConfig(yaml);
  });
  afterAll(async () => {
    await app?.stop();
    await fresh?.drop();
  });

  const cli = (user: string, ...args: string[]) =>
    runEntry(['secops', 'approvals', ...args], { SECOPS_USER: user, SECOPS_BALLOT_KEY: testKeyPem(user), SECOPS_CONFIG: configPath, TEMPORAL_ADDRESS: inject('temporalAddress') });

  async function startGated(workers: RunningWorkers, workflowId: string) {
    const input = dastScanInput({ ...config, taskQueues: workers.taskQueues }, config.targets[0]!, 'cli:alice');
    const handle = await workers.client.workflow.start(dastScan, { taskQueue: workers.taskQueues.control, workflowId, args: [input] });
    let pending: PendingApproval | undefined;
    await waitUntil('the approval request', async () => Boolean((pending = (await pendingApprovals(workers.client)).find((p) => p.workflowId === workflowId))), 30_000);
    return { handle, pending: pending! };
  }

  it('waits for a second person, then scans', { timeout: 360_000 }, async () => {
    const since = new Date();
    const workers = await startWorkers(createActivities({ docker, store: { db: fresh.db, url: fresh.url }, slack: undefined }));
    let pendingId = '';
    const result = await workers.during(async () => {
      const { handle, pending } = await startGated(workers, 'dast:gated:approved-signed');
      pendingId = pending.approvalId;
      expect(pendingId).toBe(`dast:gated:approved-signed#1@${handle.firstExecutionRunId}`);
      expect(pending).toMatchObject({ action: 'dast.active-scan', risk: 'high', requestedBy: 'cli:alice', quorum: 1, allowed: ['cli:alice', 'cli:bob'] });
      expect(await containerEventsOf(docker, handle.workflowId, since)).toEqual([]);

      const listed = await cli('bob', 'list', '--mine');
      expect(listed.stdout).toContain(pending.approvalId);
      // The requester is an approver too, but four-eyes refuses their vote: not theirs to act on.
      const requesters = await cli('alice', 'list', '--mine');
      expect(requesters.code).toBe(0);
      expect(requesters.stdout).not.toContain(pending.approvalId);
      const self = await cli('alice', 'approve', pending.approvalId);
      expect(self).toMatchObject({ code: 1, stderr: 'error: refused: four-eyes: the requester cannot approve their own request\n' });
      const stranger = await cli('mallory', 'approve', pending.approvalId);
      // Mallory's key is in no policy: her ballot is not even authentic to the gate.
      expect(stranger.stderr).toMatch(/^error: refused: ballot signed by an unknown key SHA256:\S+\n$/);
      const approved = await cli('bob', 'approve', pending.approvalId);
      expect(approved).toMatchObject({ code: 0, stdout: `${pending.approvalId}: APPROVED (approved by 1 of 1)\n` });

      const result = (await handle.result()) as DastScanResult;
      await recordHistory(workers.client, handle.workflowId);
      return result;
    });
    // The approved scan really attacked the app: each planted flaw, by rule, page and parameter.
    const report = JSON.parse(readFileSync(result.reports.json, 'utf8')) as ScanReport;
    const found = report.findings.map((f) => `${f.ruleId} ${new URL(f.url).pathname} [${f.parameter ?? ''}]`);
    expect(found).toEqual(expect.arrayContaining(['sql-injection /product [id]', 'cross-site-scripting /search [q]', 'open-redirect /redirect [url]']));
    // The critical SQL injection is at or above the target's failOn (high by default): FAIL without a rules file.
    expect(result).toMatchObject({ scanId: 'dast:gated:approved-signed', verdict: 'fail', findings: report.findings.length, diff: { new: report.findings.length } });
    expect(await containerEventsOf(docker, 'dast:gated:approved-signed', since)).toEqual(expect.arrayContaining(['create', 'start', 'die', 'destroy']));
    const audit = await listAuditEvents(fresh.db, { subject: pendingId });
    expect(audit.map((e) => [e.actor, e.action, e.outcome])).toEqual([
      ['system', 'approval.requested', 'succeeded'], ['cli:bob', 'approval.approve', 'allowed'], ['system', 'approval.decided', 'succeeded'],
    ]);
  });

  it('a rejection, which needs a reason, ends the scan before any container exists', { timeout: 240_000 }, async () => {
    const since = new Date();
    const workers = await startWorkers(createActivities({ docker, store: { db: fresh.db, url: fresh.url }, slack: undefined }));
    let rejectedId = '';
    const error = await workers.during(async () => {
      const { handle, pending } = await startGated(workers, 'dast:gated:rejected');
      rejectedId = pending.approvalId;
      const noReason = await cli('bob', 'reject', pending.approvalId);
      expect(noReason.stderr).toBe('error: refused: a rejection needs a reason\n');
      expect((await cli('bob', 'reject', pending.approvalId, '--reason', 'production freeze')).code).toBe(0);
      return handle.result().catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toBe('active scan of gated not approved: production freeze');
    expect(await containerEventsOf(docker, 'dast:gated:rejected', since)).toEqual([]);
    expect((await fresh.db.query(`SELECT id FROM scans WHERE id = 'dast:gated:rejected'`)).rows).toEqual([]);
    const audit = await listAuditEvents(fresh.db, { subject: rejectedId });
    expect(audit.map((e) => [e.actor, e.action, e.outcome])).toEqual([
      ['system', 'approval.requested', 'succeeded'], ['cli:bob', 'approval.reject', 'allowed'], ['system', 'approval.decided', 'failed'],
    ]);
  });
});

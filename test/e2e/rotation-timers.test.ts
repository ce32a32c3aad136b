import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { waitUntil } from '../../processes/wait-until';
import { rotationWorkflowId } from '../../domain/action-kinds';
import { approvalPolicySchema } from '../../domain/approval';
import type { Principal } from '../../domain/approval-rules';
import { approvalIdOf } from '../../domain/approval-id';
import { credentialSchema, type CredentialConfig } from '../../domain/credential';
import { RECOVER_ACTION } from '../../domain/rotation';
import { FileSecretStore } from '../../secrets/file-secret-store';
import { listAuditEvents } from '../../store/audit-events';
import { migrate } from '../../store/migrations';
import { bundleWorkflows } from '../../worker/workflow-bundle';
import { credentialRotation, type CredentialRotationInput, type CredentialRotationResult } from '../../workflows/credential-rotation';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { recordHistory } from '../support/histories';
import { logsIn as logsInTo } from '../support/postgres-login';
import { faultyProviders, type RotationFault } from '../support/rotation-faults';
import { startTimeSkipping } from '../support/time-skipping';
import { testCliUser, voteOn } from '../support/test-ballots';
import { nextApproval } from '../support/approval-requests';

/** Every ballot of this file is cast here, signed as the CLI signs it, at the test server's time (it runs ahead of this clock). */
const vote = (handle: WorkflowHandle, approvalId: string, voter: Principal, choice: 'approve' | 'reject', reason: string | undefined, nowMs: number) =>
  voteOn(handle, { approvalId, voter, vote: choice, ...(reason !== undefined && { reason }) }, new Date(nowMs));

/**
 * The rotation's timers — the grace period before the previous version is revoked, and a
 * promotion approval's escalation and expiry — on the real time-skipping server, with real
 * workers, real PostgreSQL roles and the real file secret store: hours pass in seconds.
 */
describe('rotation timers (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let fresh: FreshDatabase;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = 'rotation-timers';
  const storeFile = join(mkdtempSync(join(tmpdir(), 'secops-rotation-timers-')), 'store.json');
  const storeKey = { key: randomBytes(32), keyId: 'test' };
  const suffix = randomBytes(3).toString('hex');
  const single = `rot_timer_single_${suffix}`;
  const alternating = `rot_timer_alt_${suffix}`;
  const unanswered = `rot_timer_unanswered_${suffix}`;
  const roles = [single, `${alternating}_a`, `${alternating}_b`, unanswered];
  let fault: RotationFault | undefined;

  const store = () => new FileSecretStore({ file: storeFile, key: storeKey });

  beforeAll(async () => {
    [env, fresh] = await Promise.all([startTimeSkipping(), freshDatabase()]);
    await migrate(fresh.db);
    for (const role of roles) await fresh.db.query(`CREATE ROLE ${role} LOGIN`);
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleWorkflows(),
      activities: createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: undefined, credentials: faultyProviders({ store: store(), adminUrl: fresh.url, fault: () => fault }) }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    for (const role of roles) await fresh?.db.query(`DROP ROLE IF EXISTS ${role}`);
    await fresh?.drop();
  });

  const credential = (id: string, strategy: 'single-user' | 'alternating-users', role: string): CredentialConfig =>
    credentialSchema.parse({ id, target: { provider: 'postgres-role', adminUrlEnv: 'UNUSED_IN_TESTS', strategy, role }, secretStore: { provider: 'file', file: storeFile, path: `db/${id}` }, gracePeriod: '1h' });
  const start = (c: CredentialConfig, extra: Partial<CredentialRotationInput> = {}) =>
    env.client.workflow.start(credentialRotation, { taskQueue, workflowId: rotationWorkflowId(c.id), args: [{ credential: c, taskQueue, requestedBy: 'cli:test', ...extra }] });
  const versionAt = async (c: CredentialConfig, label: 'CURRENT' | 'PREVIOUS' | 'PENDING') => {
    const version = await store().getVersion(c.secretStore.path, label);
    return version && { versionId: version.versionId, ...(JSON.parse(version.value) as { username: string; password: string }) };
  };
  const logsIn = (username: string, password: string) => logsInTo(fresh.url, username, password);
  const startedATimer = async (handle: WorkflowHandle) => ((await handle.fetchHistory()).events ?? []).some((e) => e.timerStartedEventAttributes);

  it('single-user: PREVIOUS stays in the store through the grace period, then is revoked', { timeout: 120_000 }, async () => {
    const c = credential('grace-single', 'single-user', single);
    await (await start(c)).result();
    const first = (await versionAt(c, 'CURRENT'))!;

    const handle = await start(c);
    // Only time-skipping client calls that wait for a result skip time: until then the run sits in its grace period.
    await waitUntil('the grace-period timer started', () => startedATimer(handle), 60_000);
    const second = (await versionAt(c, 'CURRENT'))!;
    expect(await versionAt(c, 'PREVIOUS')).toEqual(first);
    // single-user re-passwords the one role: the previous password is dead at once, whatever the grace period.
    expect(await logsIn(single, first.password)).toBe(false);
    expect(await logsIn(single, second.password)).toBe(true);

    const result = (await handle.result()) as CredentialRotationResult;
    expect(result).toEqual({ credentialId: 'grace-single', versionId: second.versionId, username: single, revokedPrevious: single });
    expect(await versionAt(c, 'PREVIOUS')).toBeUndefined();
    expect((await store().describe(c.secretStore.path)).versions.map((v) => [v.versionId, v.labels])).toEqual([[second.versionId, ['CURRENT']]]);
    expect(await logsIn(single, second.password)).toBe(true);
  });

  it('alternating-users: the previous user works through the grace period, then is disabled and PREVIOUS dropped', { timeout: 120_000 }, async () => {
    const c = credential('grace-alternating', 'alternating-users', alternating);
    await (await start(c)).result();
    const first = (await versionAt(c, 'CURRENT'))!;
    const handle = await start(c);
    await waitUntil('the grace-period timer started', () => startedATimer(handle), 60_000);
    const second = (await versionAt(c, 'CURRENT'))!;
    expect(await versionAt(c, 'PREVIOUS')).toEqual(first);
    expect(await logsIn(first.username, first.password)).toBe(true);
    expect(await logsIn(second.username, second.password)).toBe(true);

    const result = (await handle.result()) as CredentialRotationResult;
    expect(result).toEqual({ credentialId: 'grace-alternating', versionId: second.versionId, username: `${alternating}_b`, revokedPrevious: `${alternating}_a` });
    expect(await versionAt(c, 'PREVIOUS')).toBeUndefined();
    expect(await logsIn(first.username, first.password)).toBe(false);
    expect(await logsIn(second.username, second.password)).toBe(true);
  });

  it('a promotion nobody approves escalates, expires, and rolls the rotation back', { timeout: 120_000 }, async () => {
    const c = credential('promotion-expires', 'single-user', single);
    await (await start(c)).result();
    const before = (await versionAt(c, 'CURRENT'))!;
        const promotePolicy = approvalPolicySchema.parse({ approvers: { cliUsers: [testCliUser('bob')] }, timeout: '4h', escalation: [{ after: '2h', approvers: { cliUsers: [testCliUser('carol')] } }] });

    const handle = await start(c, { promotePolicy });
    const error = await handle.result().catch((e: unknown) => e);
    await recordHistory(env.client, handle.workflowId);

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toMatch(
      /^rotation of promotion-expires failed at approval: promotion not approved: expired without a decision; policy default: reject \(rolled back: re-applied the CURRENT password of rot_timer_single_\w+; discarded PENDING version \d+\)$/,
    );
    const audit = await listAuditEvents(fresh.db, { subject: approvalIdOf(handle.workflowId, 1, handle.firstExecutionRunId) });
    expect(audit.map((e) => [e.actor, e.action, e.outcome])).toEqual([
      ['system', 'approval.requested', 'succeeded'], ['system', 'approval.escalated', 'succeeded'], ['system', 'approval.decided', 'failed'],
    ]);
    expect(await versionAt(c, 'CURRENT')).toEqual(before);
    expect(await versionAt(c, 'PENDING')).toBeUndefined();
    expect(await logsIn(single, before.password)).toBe(true);
  });

  it('a recovery approval nobody answers is asked again after its timeout, PENDING kept, until someone answers', { timeout: 120_000 }, async () => {
    const c = credential('recovery-unanswered', 'single-user', unanswered);
    await (await start(c)).result();
    const before = (await versionAt(c, 'CURRENT'))!;
    const recoverPolicy = approvalPolicySchema.parse({ approvers: { cliUsers: [testCliUser('bob')] }, timeout: '4h' });
    fault = 'restore';
    try {
      const handle = await start(c, { recoverPolicy });
      const request = (answered: string[]) => nextApproval(handle, 'a rotation.recover approval', (a) => a.action === RECOVER_ACTION && !answered.includes(a.approvalId));
      const first = await request([]);
      await env.sleep('5h');
      const second = await request([first.approvalId]);
      expect(second.approvalId).not.toBe(first.approvalId);
      const kept = (await versionAt(c, 'PENDING'))!;
      expect(await logsIn(kept.username, kept.password)).toBe(true);
      const audit = await listAuditEvents(fresh.db, { subject: first.approvalId });
      expect(audit.map((e) => [e.action, e.outcome])).toEqual([['approval.requested', 'succeeded'], ['approval.decided', 'failed']]);

      await vote(handle, second.approvalId, 'cli:bob', 'reject', 'restored by the DBA', await env.currentTimeMs());
      const error = await handle.result().catch((e: unknown) => e);
      expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe('RotationFinishedByHand');
      expect(await versionAt(c, 'PENDING')).toEqual(kept);
      expect(await logsIn(before.username, before.password)).toBe(false);
    } finally {
      fault = undefined;
    }
  });
});

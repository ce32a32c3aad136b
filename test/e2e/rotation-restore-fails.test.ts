import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { WebClient } from '@slack/web-api';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { rotationWorkflowId } from '../../domain/action-kinds';
import { approvalPolicySchema } from '../../domain/approval';
import type { PendingApproval, Principal } from '../../domain/approval-rules';
import { credentialSchema, type CredentialConfig } from '../../domain/credential';
import { RECOVER_ACTION } from '../../domain/rotation';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { FileSecretStore } from '../../secrets/file-secret-store';
import { migrate } from '../../store/migrations';
import { credentialRotation, type CredentialRotationInput } from '../../workflows/credential-rotation';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { recordHistory } from '../support/histories';
import { logsIn as logsInTo } from '../support/postgres-login';
import { faultyProviders, type RotationFault } from '../support/rotation-faults';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import { startWorkers, type RunningWorkers } from '../support/workers';
import { testCliUser, voteOn } from '../support/test-ballots';
import { nextApproval } from '../support/approval-requests';

/** Every ballot of this file is cast here, signed as the CLI signs it. */
const vote = (handle: WorkflowHandle, approvalId: string, voter: Principal, choice: 'approve' | 'reject', reason?: string) =>
  voteOn(handle, { approvalId, voter, vote: choice, ...(reason !== undefined && { reason }) });

/**
 * A rotation whose compensation cannot restore CURRENT, on real PostgreSQL roles, the real
 * file store and real workers: the new password was really applied, the login probe fails
 * (injected), and re-applying CURRENT is refused (injected) until the test clears the fault.
 * PENDING is then the one secret the role accepts, so it must survive.
 */
describe('rotation whose restore fails', () => {
  let fresh: FreshDatabase;
  let slack: SlackApiServer;
  const storeFile = join(mkdtempSync(join(tmpdir(), 'secops-restore-fails-')), 'store.json');
  const store = new FileSecretStore({ file: storeFile, key: { key: randomBytes(32), keyId: 'test' } });
  const suffix = randomBytes(3).toString('hex');
  const roles = ['retried', 'by_hand', 'no_policy'].map((name) => `rot_rf_${name}_${suffix}`);
  let fault: RotationFault | undefined;
  const policy = approvalPolicySchema.parse({ approvers: { cliUsers: [testCliUser('bob')] }, timeout: '1h' });

  beforeAll(async () => {
    [fresh, slack] = await Promise.all([freshDatabase(), startSlackApiServer({ botToken: 'test-bot-token-restore', channels: [{ id: 'C0ONCALL', name: 'oncall', member: true }, { id: 'C0SECURITY', name: 'security', member: true }] })]);
    await migrate(fresh.db);
    for (const role of roles) await fresh.db.query(`CREATE ROLE ${role} LOGIN`);
  });
  afterAll(async () => {
    for (const role of roles) await fresh?.db.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await fresh?.drop();
    await slack?.close();
  });

  const credential = (id: string, role: string): CredentialConfig =>
    credentialSchema.parse({ id, target: { provider: 'postgres-role', adminUrlEnv: 'UNUSED_IN_TESTS', strategy: 'single-user', role }, secretStore: { provider: 'file', file: storeFile, path: `db/${id}` }, gracePeriod: '1s', onCallChannel: '#oncall' });
  const workers = () => startWorkers(createActivities({
    docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: new WebClient('test-bot-token-restore', { slackApiUrl: slack.url }), slackChannel: '#security',
    credentials: faultyProviders({ store, adminUrl: fresh.url, fault: () => fault }),
  }), ['control']);
  const rotate = (running: RunningWorkers, c: CredentialConfig, extra: Partial<CredentialRotationInput> = {}) =>
    running.client.workflow.start(credentialRotation, { taskQueue: running.taskQueues.control, workflowId: rotationWorkflowId(c.id), args: [{ credential: c, taskQueue: running.taskQueues.control, requestedBy: 'cli:test', ...extra }] });
  const versionAt = async (c: CredentialConfig, label: 'CURRENT' | 'PENDING') => {
    const version = await store.getVersion(c.secretStore.path, label);
    return version && { versionId: version.versionId, ...(JSON.parse(version.value) as { username: string; password: string }) };
  };
  const logsIn = (username: string, password: string) => logsInTo(fresh.url, username, password);
  const onCallTexts = (id: string) => slack.callsTo('chat.postMessage').filter((call) => call.args.channel === '#oncall').map((call) => String(call.args.text)).filter((text) => text.includes(`Credential ${id}:`));
  const verdictOf = async (handle: WorkflowHandle) => (await handle.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.verdict);

  /** The next recovery approval the run asks for (not one already answered). */
  const recoveryRequest = (handle: WorkflowHandle, answered: string[] = []): Promise<PendingApproval> =>
    nextApproval(handle, 'a rotation.recover approval', (a) => a.action === RECOVER_ACTION && !answered.includes(a.approvalId));

  /** A CURRENT to protect, made by a rotation without faults. */
  async function established(running: RunningWorkers, c: CredentialConfig) {
    fault = undefined;
    await (await rotate(running, c)).result();
    return (await versionAt(c, 'CURRENT'))!;
  }

  /** What must hold while the run needs attention: PENDING kept and working, on-call told where, the run marked. */
  async function expectNeedsAttention(handle: WorkflowHandle, c: CredentialConfig, before: { username: string; password: string }) {
    const kept = (await versionAt(c, 'PENDING'))!;
    expect(kept).toBeDefined();
    expect(kept.username).toBe(before.username);
    expect(await versionAt(c, 'CURRENT')).toEqual(expect.objectContaining({ password: before.password }));
    // The role took the new password before the probe failed, and CURRENT could not be put back.
    expect(await logsIn(kept.username, kept.password)).toBe(true);
    expect(await logsIn(before.username, before.password)).toBe(false);
    const told = onCallTexts(c.id).find((text) => text.includes('NEEDS ATTENTION'));
    expect(told).toMatch(new RegExp(`^Credential ${c.id}: NEEDS ATTENTION: rotation ${handle.workflowId} could not restore CURRENT\\. PENDING version`));
    expect(told).toContain('(The rotation failed at verify: injected: the probe query failed; restoring CURRENT failed: injected: the admin role may no longer ALTER ROLE.)');
    expect(told).toContain(`PENDING version ${kept.versionId} (user ${kept.username}) is kept in the file store ${storeFile}, path ${c.secretStore.path}`);
    expect(told).toContain(`role ${kept.username} accepts only PENDING version ${kept.versionId} now`);
    expect(told).not.toContain(kept.password);
    return kept;
  }

  it('keeps PENDING and asks on-call; approve retries (asked again when the retry fails), and a working retry rolls back', { timeout: 180_000 }, async () => {
    const c = credential('restore-fails', roles[0]!);
    const running = await workers();
    await running.during(async () => {
      const before = await established(running, c);
      fault = 'restore';
      const handle = await rotate(running, c, { recoverPolicy: policy });
      const first = await recoveryRequest(handle);
      expect(first).toMatchObject({ risk: 'high', allowed: ['cli:bob'] });
      expect(first.details).toContain('Reject with a reason once it is finished by hand');
      // Approvers see the request in Slack too (the no-policy case checks its absence this way).
      expect(JSON.stringify(slack.calls.map((call) => call.args))).toContain('Retry restoring CURRENT of restore-fails');
      const kept = await expectNeedsAttention(handle, c, before);
      expect(await verdictOf(handle)).toBe('needs-attention');

      // Still broken: the retry fails, PENDING stays, and the run asks again.
      await vote(handle, first.approvalId, 'cli:bob', 'approve');
      const second = await recoveryRequest(handle, [first.approvalId]);
      expect(onCallTexts(c.id).filter((text) => text.includes('the retried restore failed again'))).toHaveLength(1);
      expect(await versionAt(c, 'PENDING')).toEqual(kept);
      expect(await logsIn(kept.username, kept.password)).toBe(true);

      fault = undefined;
      await vote(handle, second.approvalId, 'cli:bob', 'approve');
      const error = await handle.result().catch((e: unknown) => e);
      await recordHistory(running.client, handle.workflowId);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('RotationFailed');
      expect(cause.message).toBe(`rotation of restore-fails failed at verify: injected: the probe query failed (rolled back after a retried restore: re-applied the CURRENT password of ${before.username}; discarded PENDING version ${kept.versionId})`);
      expect(await verdictOf(handle)).toBe('recovered');
      expect(await versionAt(c, 'PENDING')).toBeUndefined();
      expect(await logsIn(before.username, before.password)).toBe(true);
      expect(await logsIn(kept.username, kept.password)).toBe(false);
      expect(onCallTexts(c.id).at(-1)).toBe(`Credential restore-fails: rotation ${handle.workflowId}: the retried restore worked: re-applied the CURRENT password of ${before.username}; discarded PENDING version ${kept.versionId}.`);
    });
  });

  it('a rejection with a reason means finished by hand: the run ends, PENDING stays and still logs in', { timeout: 180_000 }, async () => {
    const c = credential('restore-by-hand', roles[1]!);
    const running = await workers();
    await running.during(async () => {
      const before = await established(running, c);
      fault = 'restore';
      const handle = await rotate(running, c, { recoverPolicy: policy });
      const request = await recoveryRequest(handle);
      const kept = await expectNeedsAttention(handle, c, before);

      await vote(handle, request.approvalId, 'cli:bob', 'reject', 'consumers switched to PENDING by hand');
      const error = await handle.result().catch((e: unknown) => e);
      const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('RotationFinishedByHand');
      expect(cause.message).toMatch(/\(restore CURRENT FAILED: injected: the admin role may no longer ALTER ROLE; finished by hand per cli:bob: consumers switched to PENDING by hand; PENDING version \d+ .* is kept in the file store/);
      expect(await verdictOf(handle)).toBe('finished-by-hand');
      expect(await versionAt(c, 'PENDING')).toEqual(kept);
      expect(await logsIn(kept.username, kept.password)).toBe(true);
      expect(onCallTexts(c.id).at(-1)).toMatch(/finished by hand per cli:bob: consumers switched to PENDING by hand\. PENDING version \d+ .*; this run leaves both in place\.$/);
    });
  });

  it('with no policy to approve a retry, the run ends at once needing attention, PENDING kept', { timeout: 180_000 }, async () => {
    const c = credential('restore-no-policy', roles[2]!);
    const running = await workers();
    await running.during(async () => {
      const before = await established(running, c);
      fault = 'restore';
      const handle = await rotate(running, c);
      const error = await handle.result().catch((e: unknown) => e);
      const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('RotationNeedsAttention');
      expect(cause.message).toMatch(/^rotation of restore-no-policy failed at verify: injected: the probe query failed \(restore CURRENT FAILED: .*; needs attention: PENDING version \d+ /);
      expect(await verdictOf(handle)).toBe('needs-attention');
      expect(JSON.stringify(slack.calls.map((call) => call.args))).not.toContain('Retry restoring CURRENT of restore-no-policy');
      await expectNeedsAttention(handle, c, before);
      expect(onCallTexts(c.id).find((text) => text.includes('NEEDS ATTENTION'))).toContain('No approvals."rotation.recover" (or "rotation.promote") policy can approve a retry, so this run ends here');
    });
  });
});

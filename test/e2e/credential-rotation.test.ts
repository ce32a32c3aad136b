import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { ApplicationFailure } from '@temporalio/activity';
import { WebClient } from '@slack/web-api';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { CredentialProviders } from '../../activities/secrets/credential-providers';
import { dataConverterFromEnv } from '../../codec/data-converter';
import { approvalPolicySchema } from '../../domain/approval';
import { parseKeyRing } from '../../domain/codec-keys';
import { rotationWorkflowId } from '../../domain/action-kinds';
import { credentialSchema, type CredentialConfig } from '../../domain/credential';
import { FileSecretStore } from '../../secrets/file-secret-store';
import { PostgresRoleTarget } from '../../secrets/postgres-role-target';
import { RotationTargetError } from '../../secrets/rotation-target';
import type { SecretStore } from '../../secrets/secret-store';
import { credentialRotation, type CredentialRotationInput, type CredentialRotationResult } from '../../workflows/credential-rotation';
import { waitUntil } from '../../processes/wait-until';
import { migrate } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import { recordHistory } from '../support/histories';
import { logsIn as logsInTo } from '../support/postgres-login';
import { capturedLogs } from '../support/quiet-runtime';
import { startWorkers, type RunningWorkers } from '../support/workers';
import { scheduledRotation } from '../../workflows/scheduled-rotation';
import { decideUpdate, pendingApprovalsQuery } from '../../workflows/approval';

type Step = 'apply' | 'verify' | 'promote';

/** Real PostgreSQL roles, the real file secret store, real workers; failures injected by wrapping the real providers. */
describe('credential rotation', () => {
  let fresh: FreshDatabase;
  let slack: SlackApiServer;
  const storeFile = join(mkdtempSync(join(tmpdir(), 'secops-secrets-')), 'store.json');
  const storeKey = { key: randomBytes(32), keyId: 'test' };
  const suffix = randomBytes(3).toString('hex');
  const single = `rot_single_${suffix}`;
  const alternating = `rot_alt_${suffix}`;

  beforeAll(async () => {
    [fresh, slack] = await Promise.all([freshDatabase(), startSlackApiServer({ botToken: 'test-bot-token-rotation', channels: [{ id: 'C0ONCALL', name: 'oncall', member: true }, { id: 'C0SECURITY', name: 'security', member: true }] })]);
    await migrate(fresh.db);
    for (const role of [single, `${alternating}_a`, `${alternating}_b`]) await fresh.db.query(`CREATE ROLE ${role} LOGIN`);
  });
  afterAll(async () => {
    for (const role of [single, `${alternating}_a`, `${alternating}_b`]) await fresh?.db.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await fresh?.drop();
    await slack?.close();
  });

  const credential = (id: string, strategy: 'single-user' | 'alternating-users', role: string, gracePeriod = '1s'): CredentialConfig =>
    credentialSchema.parse({ id, target: { provider: 'postgres-role', adminUrlEnv: 'UNUSED_IN_TESTS', strategy, role }, secretStore: { provider: 'file', file: storeFile, path: `db/${id}` }, gracePeriod, onCallChannel: '#oncall' });

  /** The real store and target; the store adds every password it is given to `generated` (for the leak check), `fail` breaks one step. */
  function providers(fail?: Step, generated?: Set<string>): CredentialProviders {
    let applies = 0;
    const store = new FileSecretStore({ file: storeFile, key: storeKey });
    const recording: SecretStore = Object.assign(Object.create(store) as SecretStore, {
      putPending: async (path: string, value: string, options: { idempotencyToken: string }) => {
        generated?.add((JSON.parse(value) as { password: string }).password);
        return store.putPending(path, value, options);
      },
      promote: async (path: string, versionId: string) => {
        // Non-retryable, as a store's refusal would be: the saga's compensation is what is under test.
        if (fail === 'promote') throw ApplicationFailure.nonRetryable('injected: the store refused promote');
        return store.promote(path, versionId);
      },
    });
    return {
      store: () => recording,
      target: (c) => {
        const real = new PostgresRoleTarget(c.target.strategy === 'single-user' ? { strategy: 'single-user', role: c.target.role } : { strategy: 'alternating-users', baseRole: c.target.role }, fresh.url);
        return Object.assign(Object.create(real) as PostgresRoleTarget, {
          apply: async (cred: { username: string; password: string }) => {
            // Only the pending credential's apply fails; the compensation's re-apply of CURRENT goes through.
            if (fail === 'apply' && applies++ === 0) throw new RotationTargetError('injected: the target refused the new password');
            return real.apply(cred);
          },
          verify: async (cred: { username: string; password: string }) => {
            if (fail === 'verify') throw new RotationTargetError('injected: the probe query failed');
            return real.verify(cred);
          },
        });
      },
    };
  }

  const workersWith = (fail?: Step, options: { dataConverter?: Parameters<typeof startWorkers>[2]; generated?: Set<string> } = {}) =>
    startWorkers(createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: new WebClient('test-bot-token-rotation', { slackApiUrl: slack.url }), slackChannel: '#security', credentials: providers(fail, options.generated) }), ['control'], options.dataConverter);

  function rotate(workers: RunningWorkers, c: CredentialConfig, extra: Partial<CredentialRotationInput> = {}) {
    return workers.client.workflow.start(credentialRotation, { taskQueue: workers.taskQueues.control, workflowId: rotationWorkflowId(c.id), args: [{ credential: c, taskQueue: workers.taskQueues.control, requestedBy: 'cli:test', ...extra }] });
  }

  async function current(c: CredentialConfig) {
    const version = await new FileSecretStore({ file: storeFile, key: storeKey }).getVersion(c.secretStore.path, 'CURRENT');
    return JSON.parse(version!.value) as { username: string; password: string };
  }
  async function pendingOf(c: CredentialConfig) {
    return new FileSecretStore({ file: storeFile, key: storeKey }).getVersion(c.secretStore.path, 'PENDING');
  }
  const logsIn = (username: string, password: string) => logsInTo(fresh.url, username, password);

  it('single-user: the new password logs in and the old one is rejected', { timeout: 120_000 }, async () => {
    const c = credential('single', 'single-user', single);
    const workers = await workersWith();
    await workers.during(async () => {
      await (await rotate(workers, c)).result();
      const first = await current(c);
      expect(await logsIn(first.username, first.password)).toBe(true);
      const result = (await (await rotate(workers, c)).result()) as CredentialRotationResult;
      const second = await current(c);
      expect(result).toMatchObject({ credentialId: 'single', username: single });
      expect(second.password).not.toBe(first.password);
      expect(await logsIn(single, second.password)).toBe(true);
      expect(await logsIn(single, first.password)).toBe(false);
    });
  });

  it('alternating-users: users alternate, and both work until the next rotation', { timeout: 120_000 }, async () => {
    const c = credential('alternating', 'alternating-users', alternating);
    const workers = await workersWith();
    await workers.during(async () => {
      await (await rotate(workers, c)).result();
      const first = await current(c);
      await (await rotate(workers, c)).result();
      const second = await current(c);
      expect([first.username, second.username]).toEqual([`${alternating}_a`, `${alternating}_b`]);
      expect(await logsIn(first.username, first.password)).toBe(true);
      expect(await logsIn(second.username, second.password)).toBe(true);
      await (await rotate(workers, c)).result();
      const third = await current(c);
      expect(third.username).toBe(`${alternating}_a`);
      expect(await logsIn(first.username, first.password)).toBe(false); // re-passworded by the third rotation
      expect(await logsIn(second.username, second.password)).toBe(true);
    });
  });

  it.each(['apply', 'verify', 'promote'] as const)('a failure at %s rolls back: CURRENT works, PENDING is gone, on-call is told', { timeout: 120_000 }, async (step) => {
    const c = credential(`fail-${step}`, 'single-user', single);
    await (async () => {
      const ok = await workersWith();
      await ok.during(async () => (await rotate(ok, c)).result()); // a CURRENT to protect
    })();
    const before = await current(c);
    const workers = await workersWith(step);
    const error = await workers.during(async () => {
      const handle = await rotate(workers, c);
      const failure = await handle.result().catch((e: unknown) => e);
      await recordHistory(workers.client, handle.workflowId);
      return failure;
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toMatch(new RegExp(`^rotation of fail-${step} failed at ${step}: injected`));
    expect(await current(c)).toEqual(before);
    expect(await logsIn(before.username, before.password)).toBe(true);
    expect(await pendingOf(c)).toBeUndefined();
    const told = slack.callsTo('chat.postMessage').map((call) => String(call.args.text)).filter((text) => text.includes(`failed at ${step}`));
    expect(told.at(-1)).toMatch(/Rolled back: .*discarded PENDING version/);
    expect(told.at(-1)).not.toMatch(/FAILED/);
  });

  it('refuses a second rotation of the same credential while one runs', { timeout: 120_000 }, async () => {
    const c = credential('busy', 'single-user', single);
    const workers = await workersWith();
    await workers.during(async () => {
      const policy = approvalPolicySchema.parse({ approvers: { cliUsers: ['bob'] }, timeout: '1h' });
      const first = await rotate(workers, c, { promotePolicy: policy });
      await waitUntil('waiting for approval', async () => (await first.query(pendingApprovalsQuery)).length === 1, 30_000);
      await expect(rotate(workers, c)).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      // A schedule's run does not double it either.
      const scheduled = await workers.client.workflow.start(scheduledRotation, {
        taskQueue: workers.taskQueues.control, workflowId: 'rotate-schedule:busy', args: [{ credential: c, taskQueue: workers.taskQueues.control, requestedBy: 'schedule' }],
      });
      expect(await scheduled.result()).toEqual({ skipped: 'a rotation of busy is already running' });
      await recordHistory(workers.client, scheduled.workflowId);
      await first.executeUpdate(decideUpdate, { args: [{ approvalId: `${first.workflowId}#1`, voter: 'cli:bob', vote: 'approve' }] });
      expect(await first.result()).toMatchObject({ credentialId: 'busy' });
      await recordHistory(workers.client, first.workflowId);
    });
  });

  it('leaks no secret into workflow history, Slack or logs, through rotations that succeed and one that rolls back', { timeout: 180_000 }, async () => {
    const c = credential('leak-check', 'single-user', single);
    const generated = new Set<string>();
    const histories: string[] = [];
    const ok = await workersWith(undefined, { generated });
    await ok.during(async () => {
      histories.push(await historyText(await rotate(ok, c), 'succeeds'));
      // The second one also revokes the first one's version after the grace period.
      histories.push(await historyText(await rotate(ok, c), 'succeeds'));
    });
    const failing = await workersWith('verify', { generated });
    await failing.during(async () => {
      histories.push(await historyText(await rotate(failing, c), 'fails'));
    });

    expect(generated.size).toBe(3);
    // The decoding reaches the payloads: the user name is in them, next to where a password would be.
    for (const text of histories) expect(text).toContain(single);
    for (const [i, text] of histories.entries()) for (const secret of generated) expect(text.includes(secret), `history ${i} holds a secret`).toBe(false);
    const slackCalls = JSON.stringify(slack.calls.map((call) => call.args));
    expect(slackCalls).toContain('leak-check');
    for (const secret of generated) expect(slackCalls.includes(secret), 'a secret in a Slack call').toBe(false);
    // The runtime holds log entries for a moment before handing them over: take them all first.
    Runtime.instance().flushLogs();
    expect(capturedLogs.length).toBeGreaterThan(0);
    const logs = JSON.stringify(capturedLogs, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    for (const secret of generated) expect(logs.includes(secret), 'a secret in the captured logs').toBe(false);
  });

  it('with the codec, history payloads are ciphertext', { timeout: 120_000 }, async () => {
    const c = credential('encrypted', 'single-user', single);
    const dataConverter = dataConverterFromEnv({ SECOPS_CODEC_KEYS: parseKeyRing(`k1:${randomBytes(32).toString('base64')}`) });
    const workers = await workersWith(undefined, { dataConverter });
    const history = await workers.during(async () => {
      const handle = await rotate(workers, c);
      await handle.result();
      return handle.fetchHistory();
    });
    const payloads = (history.events ?? []).flatMap((e) => [
      ...(e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
      ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
      ...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
    ]);
    expect(payloads.length).toBeGreaterThan(3);
    for (const payload of payloads) expect(Buffer.from(payload.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
  });
});

/**
 * The run's whole history as text, payload data decoded: the history's proto messages turn
 * bytes into base64 in JSON, where no secret could ever be found.
 */
async function historyText(handle: WorkflowHandle, outcome: 'succeeds' | 'fails'): Promise<string> {
  const result = await handle.result().then(() => 'succeeded', (error: unknown) => (error instanceof WorkflowFailedError ? 'failed' : Promise.reject(error)));
  expect(result).toBe(outcome === 'succeeds' ? 'succeeded' : 'failed');
  const history = await handle.fetchHistory();
  return JSON.stringify(history, (key, value: unknown) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));
}

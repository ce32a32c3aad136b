import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { WebClient } from '@slack/web-api';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { dataConverterFromEnv } from '../../codec/data-converter';
import { approvalPolicySchema } from '../../domain/approval';
import type { Principal } from '../../domain/approval-rules';
import { parseKeyRing } from '../../domain/codec-keys';
import { rotationWorkflowId } from '../../domain/action-kinds';
import { credentialSchema, type CredentialConfig } from '../../domain/credential';
import { FileSecretStore } from '../../secrets/file-secret-store';
import { credentialRotation, type CredentialRotationInput, type CredentialRotationResult } from '../../workflows/credential-rotation';
import { waitUntil } from '../../processes/wait-until';
import { migrate } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import { recordHistory } from '../support/histories';
import { logsIn as logsInTo } from '../support/postgres-login';
import { capturedLogs } from '../support/quiet-runtime';
import { faultyProviders, type RotationFault } from '../support/rotation-faults';
import { startWorkers, type RunningWorkers } from '../support/workers';
import { scheduledRotation } from '../../workflows/scheduled-rotation';
import { pendingApprovalsQuery } from '../../workflows/approval';
import { testCliUser, voteOn } from '../support/test-ballots';

/** Every ballot of this file is cast here, signed as the CLI signs it. */
const vote = (handle: WorkflowHandle, approvalId: string, voter: Principal, choice: 'approve' | 'reject', reason?: string) =>
  voteOn(handle, { approvalId, voter, vote: choice, ...(reason !== undefined && { reason }) });

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

  /** The real store and target, with `fault` injected (see rotation-faults.ts); every generated password lands in `generated`. */
  const providers = (fault?: RotationFault, generated?: Set<string>) => faultyProviders({ store: new FileSecretStore({ file: storeFile, key: storeKey }), adminUrl: fresh.url, fault: () => fault, generated });

  const workersWith = (fail?: RotationFault, options: { dataConverter?: Parameters<typeof startWorkers>[2]; generated?: Set<string> } = {}) =>
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

  it('alternating-users: users alternate; the previous user is disabled after the grace period and re-passworded by the next rotation', { timeout: 120_000 }, async () => {
    const c = credential('alternating', 'alternating-users', alternating);
    const workers = await workersWith();
    await workers.during(async () => {
      await (await rotate(workers, c)).result();
      const first = await current(c);
      const result = (await (await rotate(workers, c)).result()) as CredentialRotationResult;
      const second = await current(c);
      expect([first.username, second.username]).toEqual([`${alternating}_a`, `${alternating}_b`]);
      expect(result).toMatchObject({ username: second.username, revokedPrevious: first.username });
      expect(await logsIn(first.username, first.password)).toBe(false); // disabled once the grace period was over
      expect(await logsIn(second.username, second.password)).toBe(true);
      const handle = await rotate(workers, c);
      await handle.result();
      await recordHistory(workers.client, handle.workflowId);
      const third = await current(c);
      expect(third.username).toBe(`${alternating}_a`);
      expect(await logsIn(third.username, third.password)).toBe(true); // LOGIN again, with a new password
      expect(await logsIn(second.username, second.password)).toBe(false);
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
      const policy = approvalPolicySchema.parse({ approvers: { cliUsers: [testCliUser('bob')] }, timeout: '1h' });
      const first = await rotate(workers, c, { promotePolicy: policy });
      await waitUntil('waiting for approval', async () => (await first.query(pendingApprovalsQuery)).length === 1, 30_000);
      await expect(rotate(workers, c)).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      // A schedule's run does not double it either.
      const scheduled = await workers.client.workflow.start(scheduledRotation, {
        taskQueue: workers.taskQueues.control, workflowId: 'rotate-schedule:busy', args: [{ credential: c, taskQueue: workers.taskQueues.control, requestedBy: 'schedule' }],
      });
      expect(await scheduled.result()).toEqual({ skipped: 'a rotation of busy is already running' });
      await recordHistory(workers.client, scheduled.workflowId);
      const [approval] = await first.query(pendingApprovalsQuery);
      await vote(first, approval!.approvalId, 'cli:bob', 'approve');
      expect(await first.result()).toMatchObject({ credentialId: 'busy' });
      await recordHistory(workers.client, first.workflowId);
    });
  });

  it('leaks no secret into workflow history, Slack or logs, through rotations that succeed and a fault at every step', { timeout: 300_000 }, async () => {
    const c = credential('leak-check', 'single-user', single);
    const generated = new Set<string>();
    const histories: { outcome: string; text: string }[] = [];
    const ok = await workersWith(undefined, { generated });
    await ok.during(async () => {
      histories.push({ outcome: 'succeeds', text: await historyText(await rotate(ok, c), 'succeeds') });
      // The second one also revokes the first one's version after the grace period.
      histories.push({ outcome: 'succeeds', text: await historyText(await rotate(ok, c), 'succeeds') });
    });
    // What each failing run's history must show, decoded: proof that the check reads its failure messages.
    const faults: [RotationFault, string][] = [
      ['create', 'injected: the store lost its answer'],
      ['apply', 'failed at apply: injected: the target refused the new password'],
      ['garbled', 'failed at apply: stored value of leak-check version'],
      ['verify', 'failed at verify: injected: the probe query failed'],
      ['promote', 'failed at promote: injected: the store refused promote'],
      // No policy: the run ends at once, PENDING kept (rotation-restore-fails.test.ts has the waiting).
      ['restore', 'restore CURRENT FAILED: injected: the admin role may no longer ALTER ROLE; needs attention'],
      ['revoke', 'injected: the store refused to drop PREVIOUS'],
    ];
    for (const [fault, shows] of faults) {
      const failing = await workersWith(fault, { generated });
      await failing.during(async () => {
        const text = await historyText(await rotate(failing, c), 'fails');
        expect(text, fault).toContain(shows);
        histories.push({ outcome: fault, text });
      });
    }

    expect(generated.size).toBe(2 + faults.length);
    for (const { outcome, text } of histories) {
      // The decoding reaches the payloads (the user name is in them, next to where a password would be) and the failures.
      expect(text, outcome).toContain(single);
      if (outcome !== 'succeeds') expect(text, outcome).toContain('Encoded failure');
      for (const secret of generated) expect(holdsPartOf(text, secret), `the ${outcome} history holds a secret`).toBe(false);
    }
    const slackCalls = JSON.stringify(slack.calls.map((call) => call.args));
    expect(slackCalls).toContain('failed at verify: injected');
    expect(slackCalls).toContain('NEEDS ATTENTION');
    for (const secret of generated) expect(holdsPartOf(slackCalls, secret), 'a secret in a Slack call').toBe(false);
    // The runtime holds log entries for a moment before handing them over: take them all first.
    Runtime.instance().flushLogs();
    // Errors keep their message, stack and cause out of JSON (non-enumerable): spell them out, as a log shipper would.
    const logs = JSON.stringify(capturedLogs, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (value instanceof Error) return { ...value, name: value.name, message: value.message, stack: value.stack, cause: value.cause };
      return value;
    });
    // The worker logged the failures themselves (activity and workflow failures are logged with their error).
    expect(logs).toContain('injected: the store refused promote');
    expect(logs).toContain('is not valid JSON');
    for (const secret of generated) expect(holdsPartOf(logs, secret), 'a secret in the captured logs').toBe(false);
  });

  it('with the codec, history payloads and failure messages are ciphertext, and the client reads them back', { timeout: 120_000 }, async () => {
    const c = credential('encrypted', 'single-user', single);
    const dataConverter = dataConverterFromEnv({ SECOPS_CODEC_KEYS: parseKeyRing(`k1:${randomBytes(32).toString('base64')}`) });
    await (async () => {
      const ok = await workersWith(undefined, { dataConverter });
      await ok.during(async () => (await rotate(ok, c)).result());
    })();
    const workers = await workersWith('verify', { dataConverter });
    const { error, history } = await workers.during(async () => {
      const handle = await rotate(workers, c);
      return { error: await handle.result().catch((e: unknown) => e), history: await handle.fetchHistory() };
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toMatch(/^rotation of encrypted failed at verify: injected: the probe query failed \(rolled back: re-applied the CURRENT password of /);
    const events = history.events ?? [];
    const payloads = events.flatMap((e) => [
      ...(e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
      ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
      ...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
    ]);
    const failures = events.flatMap((e) => [e.activityTaskFailedEventAttributes?.failure, e.workflowExecutionFailedEventAttributes?.failure]).filter((f) => f);
    expect(payloads.length).toBeGreaterThan(3);
    expect(failures).toHaveLength(2);
    for (const payload of payloads) expect(Buffer.from(payload.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    for (const failure of failures) {
      expect(failure?.message).toBe('Encoded failure');
      expect(failure?.stackTrace).toBe('');
      expect(Buffer.from(failure?.encodedAttributes?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    }
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    for (const words of ['injected', 'failed at verify', 'probe query', single]) expect(raw.includes(words), words).toBe(false);
  });
});

/**
 * Whether `text` holds any 8 characters of `secret` in a row: parsers quote only the start of
 * what they choke on (V8's JSON.parse the first 10 characters), so a whole-secret search
 * would miss exactly those leaks. Eight random characters of 64 recur by chance once in 2^48.
 */
function holdsPartOf(text: string, secret: string): boolean {
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) return true;
  return false;
}

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

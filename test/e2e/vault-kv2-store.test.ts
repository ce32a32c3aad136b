import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type ManagedProcess } from '../../processes/child-process';
import { freePort } from '../support/ports';
import { projectPath } from '../../processes/tool-paths';
import { waitUntil } from '../../processes/wait-until';
import { VaultKv2Store } from '../../secrets/vault-kv2-store';
import { vaultRequest, type VaultConnection } from '../../secrets/vault-client';
import { secretStoreContract } from '../support/secret-store-contract';

/**
 * The Vault KV v2 store against a real OpenBao dev server (in memory, KV v2 mounted at
 * `secret/`), installed by scripts/install-openbao.sh.
 */
const BAO = projectPath('.tools', 'bin', 'bao');

let server: ManagedProcess;
let home: string;
let connection: VaultConnection;
const log: string[] = [];

beforeAll(async () => {
  if (!existsSync(BAO)) throw new Error('OpenBao not installed at .tools/bin/bao; run: bash scripts/install-openbao.sh');
  const port = await freePort();
  connection = { address: `http://127.0.0.1:${port}`, token: randomBytes(16).toString('hex') };
  // A throwaway HOME: the dev server would otherwise leave its token in ~/.vault-token.
  home = await mkdtemp(join(tmpdir(), 'secops-bao-'));
  server = startProcess('bao', BAO, [
    'server', '-dev', `-dev-root-token-id=${connection.token}`, `-dev-listen-address=127.0.0.1:${port}`, '-dev-no-store-token',
  ], { env: { PATH: process.env.PATH, HOME: home }, log: (line) => log.push(line) });
  try {
    await waitUntil(`OpenBao dev server at ${connection.address}`, async () => {
      const health = await fetch(`${connection.address}/v1/sys/health`);
      return health.status === 200;
    }, 30_000, server.exited);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${log.slice(-20).join('\n')}`);
  }
});

afterAll(async () => {
  await server?.stop(5_000);
  if (home) await rm(home, { recursive: true, force: true });
});

const store = () => new VaultKv2Store({ connection, mount: 'secret' });

interface KvMetadata {
  data: { custom_metadata: Record<string, string> | null; versions: Record<string, { deletion_time: string; destroyed: boolean }> };
}
const metadataOf = async (path: string) => (await vaultRequest(connection, 'GET', `secret/metadata/${path}`)) as KvMetadata;

describe('VaultKv2Store on OpenBao', () => {
  secretStoreContract(store);

  it('keeps labels in custom_metadata and leaves other keys alone', async () => {
    const path = `shop/${randomBytes(4).toString('hex')}`;
    await vaultRequest(connection, 'POST', `secret/metadata/${path}`, { custom_metadata: { owner: 'team-payments' } });
    const one = await store().putPending(path, 'v1', { idempotencyToken: 'token-0001' });
    await store().promote(path, one.versionId);
    const two = await store().putPending(path, 'v2', { idempotencyToken: 'token-0002' });
    expect((await metadataOf(path)).data.custom_metadata).toEqual({ owner: 'team-payments', 'secops-current': one.versionId, 'secops-pending': two.versionId });
    await store().promote(path, two.versionId);
    expect((await metadataOf(path)).data.custom_metadata).toEqual({ owner: 'team-payments', 'secops-current': two.versionId, 'secops-previous': one.versionId });
  });

  it('discard soft-deletes the version; revoke destroys it', async () => {
    const path = `shop/${randomBytes(4).toString('hex')}`;
    const one = await store().putPending(path, 'v1', { idempotencyToken: 'token-0001' });
    await store().promote(path, one.versionId);
    const two = await store().putPending(path, 'v2', { idempotencyToken: 'token-0002' });
    await store().promote(path, two.versionId);
    const three = await store().putPending(path, 'v3', { idempotencyToken: 'token-0003' });
    await store().discardPending(path, three.versionId);
    await store().revokePrevious(path);
    const { versions } = (await metadataOf(path)).data;
    expect(versions[three.versionId]).toMatchObject({ destroyed: false, deletion_time: expect.stringMatching(/^\d{4}-/) });
    expect(versions[one.versionId]).toMatchObject({ destroyed: true });
    expect(versions[two.versionId]).toMatchObject({ destroyed: false, deletion_time: '' });
  });

  it('a putPending retried after a crash between write and label adopts its own version', async () => {
    const path = `shop/${randomBytes(4).toString('hex')}`;
    const written = (await vaultRequest(connection, 'POST', `secret/data/${path}`, {
      options: { cas: 0 },
      data: { value: 'from-the-crashed-attempt', 'secops-idempotency-token': 'token-crash' },
    })) as { data: { version: number } };
    const { versionId } = await store().putPending(path, 'from-the-retry', { idempotencyToken: 'token-crash' });
    expect(versionId).toBe(String(written.data.version));
    expect(await store().getVersion(path, 'PENDING')).toEqual({ versionId, value: 'from-the-crashed-attempt' });
    expect((await store().describe(path)).versions).toHaveLength(1);
  });

  it('a version written by someone else in between does not get clobbered (check-and-set)', async () => {
    const path = `shop/${randomBytes(4).toString('hex')}`;
    const one = await store().putPending(path, 'v1', { idempotencyToken: 'token-0001' });
    await store().promote(path, one.versionId);
    await vaultRequest(connection, 'POST', `secret/data/${path}`, { data: { value: 'written-by-hand' } });
    const two = await store().putPending(path, 'v2', { idempotencyToken: 'token-0002' });
    expect(Number(two.versionId)).toBe(Number(one.versionId) + 2);
    expect(await store().getVersion(path, 'PENDING')).toEqual({ versionId: two.versionId, value: 'v2' });
  });

  it('reports a rejected token as Vault said it, without the value', async () => {
    const denied = new VaultKv2Store({ connection: { ...connection, token: 'not-a-token' }, mount: 'secret' });
    const error = await denied.putPending('shop/x', 'the-secret-value', { idempotencyToken: 'token-0001' }).catch((e: Error) => e);
    expect((error as Error).message).toBe('Vault GET /v1/secret/metadata/shop/x answered 403: permission denied');
  });

  it('reads VAULT_ADDR and VAULT_TOKEN from the environment, with clear errors', async () => {
    expect(() => VaultKv2Store.fromEnvironment('secret', {})).toThrow(/VAULT_ADDR .*; VAULT_TOKEN is not set/);
    const fromEnv = VaultKv2Store.fromEnvironment('secret', { VAULT_ADDR: connection.address, VAULT_TOKEN: connection.token });
    expect(await fromEnv.describe('never/written')).toEqual({ versions: [] });
  });
});

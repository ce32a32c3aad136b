import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRotationActivities } from '../../activities/secrets/rotation-steps';
import { credentialSchema } from '../../domain/credential';
import { FileSecretStore } from '../../secrets/file-secret-store';
import { PostgresRoleTarget } from '../../secrets/postgres-role-target';
import { VaultKv2Store } from '../../secrets/vault-kv2-store';

/** Where a secret could slip into an error message: a stored value that is not JSON, a Vault address with credentials. */
describe('error messages never quote a secret', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secops-secret-messages-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    { name: 'not JSON at all', value: (secret: string) => secret, expected: 'is not valid JSON' },
    { name: 'JSON cut short', value: (secret: string) => `{"username":"app","password":"${secret}`, expected: 'is not valid JSON' },
    { name: 'JSON of another shape', value: (secret: string) => JSON.stringify({ user: 'app', pass: secret }), expected: 'is not a {username, password} object' },
  ])('a stored value that is $name: the error names credential and version only', async ({ value, expected }) => {
    const secret = `Zq${randomBytes(18).toString('hex')}`;
    const file = join(dir, `${randomBytes(4).toString('hex')}.json`);
    const store = new FileSecretStore({ file, key: { key: randomBytes(32), keyId: 'test' } });
    const credential = credentialSchema.parse({ id: 'shop-db', target: { provider: 'postgres-role', adminUrlEnv: 'UNUSED', strategy: 'single-user', role: 'shop_app' }, secretStore: { provider: 'file', file, path: 'shop/db' } });
    // The admin URL goes nowhere: a step that got as far as the target would fail differently.
    const steps = createRotationActivities({ store: () => store, target: () => new PostgresRoleTarget({ strategy: 'single-user', role: 'shop_app' }, 'postgres://nobody@127.0.0.1:1/none') });
    const { versionId } = await store.putPending('shop/db', value(secret), { idempotencyToken: 'token-0001' });
    const before = await readFile(file, 'utf8');

    for (const step of [steps.applyPendingCredential, steps.verifyPendingCredential]) {
      const error = await step({ credential, versionId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect(error).toMatchObject({ message: `stored value of shop-db version ${versionId} ${expected}`, type: 'StoredValueInvalid', nonRetryable: true, cause: undefined });
      expect((error as Error).stack).not.toContain(secret.slice(0, 8));
    }
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('refuses a VAULT_ADDR carrying user:password@ without echoing it', () => {
    const password = `pw${randomBytes(8).toString('hex')}`;
    const error = (() => {
      try {
        VaultKv2Store.fromEnvironment('secret', { VAULT_ADDR: `https://ops:${password}@vault.example.test:8200`, VAULT_TOKEN: 'test-token' });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.message).toBe('Vault connection: VAULT_ADDR must not carry user:password@; the token goes in VAULT_TOKEN');
  });

  it.each([
    { name: 'user-info', address: (secret: string) => `http://ops:${secret}@127.0.0.1:1` },
    { name: 'a token query parameter', address: (secret: string) => `http://127.0.0.1:1/?token=${secret}` },
  ])('a Vault address with $name given directly is redacted in every error', async ({ address }) => {
    const secret = `pw${randomBytes(8).toString('hex')}`;
    const store = new VaultKv2Store({ connection: { address: address(secret), token: 'test-token', timeoutMs: 2_000 }, mount: 'secret' });
    const error = await store.getVersion('shop/db', 'CURRENT').then(() => new Error('expected no answer'), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/^Vault at http:\/\/.*127\.0\.0\.1:1\/.* did not answer GET \/v1\/secret\/metadata\/shop\/db: /);
    expect(`${error.message}\n${error.stack}`).not.toContain(secret);
  });
});

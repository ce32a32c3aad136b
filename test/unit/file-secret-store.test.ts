import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../secrets/file-secret-store';
import { storeKeyFromEnvironment } from '../../secrets/secret-cipher';
import { secretStoreContract } from '../support/secret-store-contract';

const env = (key = randomBytes(32).toString('base64')) => ({ SECOPS_SECRET_STORE_KEY: key });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secops-file-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const storeFile = () => join(dir, `${randomBytes(4).toString('hex')}`, 'secrets.json');

describe('FileSecretStore', () => {
  const shared = { store: undefined as FileSecretStore | undefined };
  secretStoreContract(() => (shared.store ??= FileSecretStore.fromEnvironment(storeFile(), env())));

  it('writes the file with mode 0600 and only ciphertext in it', async () => {
    const file = storeFile();
    const store = FileSecretStore.fromEnvironment(file, env());
    const password = `pw-${randomBytes(12).toString('hex')}`;
    await store.putPending('shop/db', JSON.stringify({ password }), { idempotencyToken: 'token-0001' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const onDisk = await readFile(file, 'utf8');
    expect(onDisk).not.toContain(password);
    expect(onDisk).not.toContain(Buffer.from(password).toString('base64').slice(0, 16));
    expect(JSON.parse(onDisk)).toMatchObject({ format: 1, keyId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(await stat(`${file}.lock`).catch(() => undefined)).toBeUndefined();
  });

  it('says the key is wrong, rather than that the file is corrupt, under another key', async () => {
    const file = storeFile();
    await FileSecretStore.fromEnvironment(file, env()).putPending('a', 'secret-value', { idempotencyToken: 'token-0001' });
    const other = FileSecretStore.fromEnvironment(file, env());
    await expect(other.getVersion('a', 'PENDING')).rejects.toThrow(/SECOPS_SECRET_STORE_KEY is not the key .* was written with/);
    await expect(other.putPending('a', 'x', { idempotencyToken: 'token-0002' })).rejects.toThrow(/SECOPS_SECRET_STORE_KEY is not the key/);
  });

  it('detects a ciphertext moved to another version, without the value in the error', async () => {
    const file = storeFile();
    const store = FileSecretStore.fromEnvironment(file, env());
    await store.putPending('a', 'first-secret', { idempotencyToken: 'token-0001' });
    await store.promote('a', '1');
    await store.putPending('a', 'second-secret', { idempotencyToken: 'token-0002' });
    const contents = JSON.parse(await readFile(file, 'utf8'));
    const [one, two] = contents.secrets.a.versions;
    [one.ciphertext, two.ciphertext, one.iv, two.iv, one.tag, two.tag] = [two.ciphertext, one.ciphertext, two.iv, one.iv, two.tag, one.tag];
    await writeFile(file, JSON.stringify(contents), { mode: 0o600 });
    const error = await store.getVersion('a', 'CURRENT').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('cannot decrypt secret a version 1: the value was altered or moved');
  });

  it('refuses a store file other users can read', async () => {
    const file = storeFile();
    const store = FileSecretStore.fromEnvironment(file, env());
    await store.putPending('a', 'v', { idempotencyToken: 'token-0001' });
    await chmod(file, 0o644);
    await expect(store.describe('a')).rejects.toThrow(/accessible to other users \(mode 644\); run: chmod 600/);
  });

  it('rejects a missing or malformed key with how to make one', () => {
    expect(() => storeKeyFromEnvironment({})).toThrow(/SECOPS_SECRET_STORE_KEY is not set; generate one with: openssl rand -base64 32/);
    expect(() => storeKeyFromEnvironment(env(randomBytes(16).toString('base64')))).toThrow(/must be 32 bytes in base64/);
  });

  it('two store instances (as two processes would) writing at once lose no update', async () => {
    const file = storeFile();
    const key = env();
    const stores = [FileSecretStore.fromEnvironment(file, key), FileSecretStore.fromEnvironment(file, key)];
    const paths = Array.from({ length: 20 }, (_, i) => `p/${i}`);
    await Promise.all(paths.map((path, i) => stores[i % 2]!.putPending(path, `value-${i}`, { idempotencyToken: `token-${i}-abcdef` })));
    for (const [i, path] of paths.entries()) expect(await stores[0]!.getVersion(path, 'PENDING')).toEqual({ versionId: '1', value: `value-${i}` });
  });

  it('waits for a held lock, then gives up with the holder named', async () => {
    const file = storeFile();
    const store = new FileSecretStore({ file, key: storeKeyFromEnvironment(env()), lock: { timeoutMs: 200 } });
    await store.putPending('a', 'v', { idempotencyToken: 'token-0001' });
    await writeFile(`${file}.lock`, '4242 someone-else');
    await expect(store.revokePrevious('a')).rejects.toThrow(/secrets\.json\.lock is held by another process \(pid 4242\)/);
    await rm(`${file}.lock`);
  });

  it.each(['__proto__', 'constructor', 'prototype', 'shop/__proto__', '__proto__/db', 'a/constructor/b'])('refuses the prototype-named path %s, and changes nothing', async (path) => {
    const file = storeFile();
    const store = FileSecretStore.fromEnvironment(file, env());
    await store.putPending('shop/db', 'kept', { idempotencyToken: 'token-0001' });
    const before = await readFile(file, 'utf8');
    const refusal = new RegExp(`^secret path ${JSON.stringify(path).replace(/\//g, '\\/')} must not have a segment named __proto__, constructor or prototype$`);
    await expect(store.putPending(path, 'x', { idempotencyToken: 'token-0002' })).rejects.toThrow(refusal);
    await expect(store.getVersion(path, 'PENDING')).rejects.toThrow(refusal);
    await expect(store.promote(path, '1')).rejects.toThrow(refusal);
    await expect(store.discardPending(path, '1')).rejects.toThrow(refusal);
    await expect(store.revokePrevious(path)).rejects.toThrow(refusal);
    await expect(store.describe(path)).rejects.toThrow(refusal);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await store.getVersion('shop/db', 'PENDING')).toEqual({ versionId: '1', value: 'kept' });
  });

  it('keeps paths named like other Object.prototype members (toString, valueOf, hasOwnProperty) as ordinary secrets', async () => {
    const file = storeFile();
    const store = FileSecretStore.fromEnvironment(file, env());
    for (const path of ['toString', 'valueOf', 'hasOwnProperty']) {
      expect(await store.getVersion(path, 'CURRENT')).toBeUndefined();
      expect(await store.describe(path)).toEqual({ versions: [] });
      await store.putPending(path, `value-of-${path}`, { idempotencyToken: `token-${path}` });
      await store.promote(path, '1');
      expect(await store.getVersion(path, 'CURRENT')).toEqual({ versionId: '1', value: `value-of-${path}` });
    }
    expect(Object.keys((JSON.parse(await readFile(file, 'utf8')) as { secrets: object }).secrets)).toEqual(['toString', 'valueOf', 'hasOwnProperty']);
  });

  it('refuses a store file holding a __proto__ entry instead of reading Object.prototype from it', async () => {
    const file = storeFile();
    const store = FileSecretStore.fromEnvironment(file, env());
    await store.putPending('a', 'v', { idempotencyToken: 'token-0001' });
    const raw = await readFile(file, 'utf8');
    const tampered = raw.replace('"secrets": {', '"secrets": {\n    "__proto__": { "polluted": true },');
    expect(tampered).not.toBe(raw);
    await writeFile(file, tampered, { mode: 0o600 });
    await expect(store.getVersion('a', 'PENDING')).rejects.toThrow(/is not a secops-flow secret store file \(unexpected content at secrets\."__proto__"\)/);
    await expect(store.putPending('b', 'w', { idempotencyToken: 'token-0002' })).rejects.toThrow(/unexpected content at secrets\."__proto__"/);
    expect(await readFile(file, 'utf8')).toBe(tampered);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('breaks a lock left behind by a crashed process', async () => {
    const file = storeFile();
    const store = new FileSecretStore({ file, key: storeKeyFromEnvironment(env()), lock: { timeoutMs: 200, staleMs: 1_000 } });
    await store.putPending('a', 'v', { idempotencyToken: 'token-0001' });
    await writeFile(`${file}.lock`, '4242 crashed');
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, longAgo, longAgo);
    await store.promote('a', '1');
    expect(await store.getVersion('a', 'CURRENT')).toEqual({ versionId: '1', value: 'v' });
    expect(await stat(`${file}.lock`).catch(() => undefined)).toBeUndefined();
  });
});

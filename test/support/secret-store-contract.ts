import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SecretStore, VersionLabel } from '../../secrets/secret-store';

/**
 * What every SecretStore must do, run against each implementation. `store()` is called
 * inside each test, so a file can start its server in beforeAll. Each test uses its own
 * path, so one store serves them all.
 */
export function secretStoreContract(store: () => SecretStore): void {
  const freshPath = () => `contract/${randomBytes(6).toString('hex')}`;
  const token = () => `token-${randomBytes(8).toString('hex')}`;
  const value = (n: number) => JSON.stringify({ username: 'app', password: `value-${n}-${randomBytes(8).toString('hex')}` });

  async function labeled(path: string): Promise<Record<string, VersionLabel[]>> {
    const { versions } = await store().describe(path);
    return Object.fromEntries(versions.filter((v) => v.labels.length > 0).map((v) => [v.versionId, [...v.labels].sort()]));
  }

  describe('SecretStore contract', () => {
    it('knows nothing of a path never written', async () => {
      const path = freshPath();
      for (const label of ['PENDING', 'CURRENT', 'PREVIOUS'] as const) expect(await store().getVersion(path, label)).toBeUndefined();
      expect(await store().describe(path)).toEqual({ versions: [] });
    });

    it('putPending with the same token returns the same version and keeps the first value', async () => {
      const path = freshPath();
      const t = token();
      const first = value(1);
      const a = await store().putPending(path, first, { idempotencyToken: t });
      const b = await store().putPending(path, value(2), { idempotencyToken: t });
      expect(b.versionId).toBe(a.versionId);
      expect(await store().getVersion(path, 'PENDING')).toEqual({ versionId: a.versionId, value: first });
      const { versions } = await store().describe(path);
      expect(versions).toHaveLength(1);
      expect(versions[0]).toMatchObject({ versionId: a.versionId, labels: ['PENDING'] });
      expect(Number.isNaN(Date.parse(versions[0]!.createdAt))).toBe(false);
    });

    it('concurrent putPending calls with one token make one version', async () => {
      const path = freshPath();
      const t = token();
      const results = await Promise.all([1, 2, 3, 4].map((n) => store().putPending(path, value(n), { idempotencyToken: t })));
      expect(new Set(results.map((r) => r.versionId)).size).toBe(1);
      expect((await store().describe(path)).versions).toHaveLength(1);
    });

    it('promote moves PENDING → CURRENT → PREVIOUS and drops the older PREVIOUS', async () => {
      const path = freshPath();
      const [v1, v2, v3] = [value(1), value(2), value(3)];
      const one = await store().putPending(path, v1, { idempotencyToken: token() });
      await store().promote(path, one.versionId);
      expect(await store().getVersion(path, 'CURRENT')).toEqual({ versionId: one.versionId, value: v1 });
      expect(await store().getVersion(path, 'PENDING')).toBeUndefined();
      expect(await store().getVersion(path, 'PREVIOUS')).toBeUndefined();

      const two = await store().putPending(path, v2, { idempotencyToken: token() });
      expect(await labeled(path)).toEqual({ [one.versionId]: ['CURRENT'], [two.versionId]: ['PENDING'] });
      await store().promote(path, two.versionId);
      await store().promote(path, two.versionId);
      expect(await labeled(path)).toEqual({ [one.versionId]: ['PREVIOUS'], [two.versionId]: ['CURRENT'] });
      expect(await store().getVersion(path, 'PREVIOUS')).toEqual({ versionId: one.versionId, value: v1 });

      const three = await store().putPending(path, v3, { idempotencyToken: token() });
      await store().promote(path, three.versionId);
      expect(await labeled(path)).toEqual({ [two.versionId]: ['PREVIOUS'], [three.versionId]: ['CURRENT'] });
      expect((await store().describe(path)).versions.map((v) => v.versionId)).toEqual([two.versionId, three.versionId]);
    });

    it('putPending retried after promote returns the promoted version', async () => {
      const path = freshPath();
      const t = token();
      const { versionId } = await store().putPending(path, value(1), { idempotencyToken: t });
      await store().promote(path, versionId);
      expect(await store().putPending(path, value(2), { idempotencyToken: t })).toEqual({ versionId });
      expect(await labeled(path)).toEqual({ [versionId]: ['CURRENT'] });
    });

    it('refuses to promote a version that is not PENDING, without the value in the message', async () => {
      const path = freshPath();
      const secret = value(1);
      const one = await store().putPending(path, secret, { idempotencyToken: token() });
      await store().promote(path, one.versionId);
      const two = await store().putPending(path, value(2), { idempotencyToken: token() });
      await store().promote(path, two.versionId);
      const error = await store().promote(path, one.versionId).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/PREVIOUS, not PENDING/);
      expect((error as Error).message).not.toContain(JSON.parse(secret).password);
    });

    it('a new token while a version is PENDING replaces that version', async () => {
      const path = freshPath();
      const abandoned = await store().putPending(path, value(1), { idempotencyToken: token() });
      const latest = value(2);
      const fresh = await store().putPending(path, latest, { idempotencyToken: token() });
      expect(fresh.versionId).not.toBe(abandoned.versionId);
      expect(await store().getVersion(path, 'PENDING')).toEqual({ versionId: fresh.versionId, value: latest });
      expect((await store().describe(path)).versions.map((v) => v.versionId)).toEqual([fresh.versionId]);
    });

    it('discardPending removes the pending version, is idempotent, and refuses promoted versions', async () => {
      const path = freshPath();
      const current = await store().putPending(path, value(1), { idempotencyToken: token() });
      await store().promote(path, current.versionId);
      const pending = await store().putPending(path, value(2), { idempotencyToken: token() });
      await store().discardPending(path, pending.versionId);
      await store().discardPending(path, pending.versionId);
      expect(await store().getVersion(path, 'PENDING')).toBeUndefined();
      expect(await labeled(path)).toEqual({ [current.versionId]: ['CURRENT'] });
      expect((await store().describe(path)).versions.map((v) => v.versionId)).toEqual([current.versionId]);
      await expect(store().discardPending(path, current.versionId)).rejects.toThrow(/CURRENT, not PENDING/);
      await store().discardPending(freshPath(), '1');
    });

    it('revokePrevious removes PREVIOUS only, and is idempotent', async () => {
      const path = freshPath();
      const current = value(2);
      const one = await store().putPending(path, value(1), { idempotencyToken: token() });
      await store().promote(path, one.versionId);
      const two = await store().putPending(path, current, { idempotencyToken: token() });
      await store().promote(path, two.versionId);
      await store().revokePrevious(path);
      await store().revokePrevious(path);
      expect(await store().getVersion(path, 'PREVIOUS')).toBeUndefined();
      expect(await store().getVersion(path, 'CURRENT')).toEqual({ versionId: two.versionId, value: current });
      expect((await store().describe(path)).versions.map((v) => v.versionId)).toEqual([two.versionId]);
      await store().revokePrevious(freshPath());
    });

    it('rejects paths that could escape their place, and bad tokens', async () => {
      await expect(store().describe('../etc/passwd')).rejects.toThrow(/secret path/);
      await expect(store().getVersion('/absolute', 'CURRENT')).rejects.toThrow(/secret path/);
      await expect(store().putPending(freshPath(), value(1), { idempotencyToken: 'short' })).rejects.toThrow(/idempotency token/);
    });
  });
}

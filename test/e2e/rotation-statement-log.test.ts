import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { CredentialProviders } from '../../activities/secrets/credential-providers';
import { rotationWorkflowId } from '../../domain/action-kinds';
import { credentialSchema, type CredentialConfig } from '../../domain/credential';
import { FileSecretStore } from '../../secrets/file-secret-store';
import { PostgresRoleTarget } from '../../secrets/postgres-role-target';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { markPostgresLog } from '../support/postgres-log';
import { startWorkers } from '../support/workers';
import { credentialRotation } from '../../workflows/credential-rotation';

/** RFC 5802 / 7677, written here rather than imported, so the product's verifier code does not grade itself. */
function isScramVerifierOf(verifier: string, password: string): boolean {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!match) return false;
  const [, iterations, salt, storedKey, serverKey] = match as unknown as [string, string, string, string, string];
  const salted = pbkdf2Sync(password, Buffer.from(salt, 'base64'), Number(iterations), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return createHash('sha256').update(clientKey).digest('base64') === storedKey
    && createHmac('sha256', salted).update('Server Key').digest('base64') === serverKey;
}

/**
 * README: "Passwords reach PostgreSQL only as SCRAM verifiers, never in SQL text." Proved on
 * the server's own statement log: scripts/setup.sh --test makes the test cluster log every
 * statement of the test role, which the rotation's admin connection uses.
 */
describe('rotation statements in the PostgreSQL log', () => {
  let fresh: FreshDatabase;
  const storeFile = join(mkdtempSync(join(tmpdir(), 'secops-statement-log-')), 'store.json');
  const storeKey = { key: randomBytes(32), keyId: 'test' };
  const suffix = randomBytes(3).toString('hex');
  const single = `rot_log_single_${suffix}`;
  const alternating = `rot_log_alt_${suffix}`;
  const roles = [single, `${alternating}_a`, `${alternating}_b`];

  beforeAll(async () => {
    fresh = await freshDatabase();
    for (const role of roles) await fresh.db.query(`CREATE ROLE ${role} LOGIN`);
  });
  afterAll(async () => {
    for (const role of roles) await fresh?.db.query(`DROP ROLE IF EXISTS ${role}`);
    await fresh?.drop();
  });

  const credential = (id: string, strategy: 'single-user' | 'alternating-users', role: string): CredentialConfig =>
    credentialSchema.parse({ id, target: { provider: 'postgres-role', adminUrlEnv: 'UNUSED_IN_TESTS', strategy, role }, secretStore: { provider: 'file', file: storeFile, path: `db/${id}` }, gracePeriod: '1s' });
  const store = () => new FileSecretStore({ file: storeFile, key: storeKey });
  const providers: CredentialProviders = {
    store: store,
    target: (c) => new PostgresRoleTarget(c.target.strategy === 'single-user' ? { strategy: 'single-user', role: c.target.role } : { strategy: 'alternating-users', baseRole: c.target.role }, fresh.url),
  };

  it('holds the ALTER ROLE statements of a real rotation, with SCRAM verifiers of the new passwords and never a password', { timeout: 120_000 }, async () => {
    const { rows } = await fresh.db.query<{ log_statement: string }>('SHOW log_statement');
    expect(rows[0]?.log_statement, 'the test role must log every statement: run `bash scripts/setup.sh --test`').toBe('all');

    const log = markPostgresLog();
    const singleCredential = credential(`log-single-${suffix}`, 'single-user', single);
    const alternatingCredential = credential(`log-alt-${suffix}`, 'alternating-users', alternating);
    const passwords: { username: string; password: string }[] = [];
    const workers = await startWorkers(createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: undefined, credentials: providers }), ['control']);
    await workers.during(async () => {
      for (const c of [singleCredential, singleCredential, alternatingCredential]) {
        await workers.client.workflow.execute(credentialRotation, {
          taskQueue: workers.taskQueues.control, workflowId: rotationWorkflowId(c.id), args: [{ credential: c, taskQueue: workers.taskQueues.control, requestedBy: 'cli:test' }],
        });
        const current = await store().getVersion(c.secretStore.path, 'CURRENT');
        passwords.push(JSON.parse(current!.value) as { username: string; password: string });
      }
    });

    const text = log.since();
    const alterRole = (role: string) => text.split('\n').filter((line) => line.includes(`statement: ALTER ROLE "${role}"`));
    const verifierIn = (line: string) => /PASSWORD '([^']+)'$/.exec(line)?.[1] ?? '';
    const [first, second, third] = passwords as [typeof passwords[0], typeof passwords[0], typeof passwords[0]];
    expect(alterRole(single)).toHaveLength(2);
    expect(alterRole(single).map((line) => isScramVerifierOf(verifierIn(line), first.password))).toEqual([true, false]);
    expect(alterRole(single).map((line) => isScramVerifierOf(verifierIn(line), second.password))).toEqual([false, true]);
    expect(alterRole(`${alternating}_a`)).toHaveLength(1);
    expect(alterRole(`${alternating}_a`)[0]).toMatch(/ WITH LOGIN PASSWORD 'SCRAM-SHA-256\$4096:/);
    expect(isScramVerifierOf(verifierIn(alterRole(`${alternating}_a`)[0] ?? ''), third.password)).toBe(true);

    expect(new Set(passwords.map((p) => p.password)).size).toBe(3);
    for (const { username, password } of passwords) expect(text.includes(password), `the password of ${username} is in the server log`).toBe(false);
  });
});

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../secrets/generate-secret';
import { freePort } from '../support/ports';
import { PostgresRoleTarget } from '../../secrets/postgres-role-target';
import { RotationTargetError } from '../../secrets/rotation-target';
import { freshDatabase, testDatabaseUrl, type FreshDatabase } from '../support/database';

/**
 * Both strategies against the real test PostgreSQL: throwaway roles (cluster-wide, so
 * with random names, dropped afterwards) in a fresh database; every check is a real login.
 */
const prefix = `secops_rt_${randomBytes(4).toString('hex')}`;
const single = `${prefix}_single`;
const base = `${prefix}_app`;
const roles = [single, base, `${base}_a`, `${base}_b`];

let fresh: FreshDatabase;
const env = () => ({ TARGET_ADMIN_URL: fresh.url });

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ rolcreaterole: boolean }>('SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user');
    if (!rows[0]?.rolcreaterole) {
      throw new Error('the test PostgreSQL role lacks CREATEROLE, which altering other roles needs; scripts/setup.sh --test grants it');
    }
    await admin.query(`CREATE ROLE ${single} LOGIN`);
    // The alternating pair shares its grants through a group role, as in production.
    await admin.query(`CREATE ROLE ${base} NOLOGIN`);
    await admin.query(`CREATE ROLE ${base}_a LOGIN IN ROLE ${base}`);
    await admin.query(`CREATE ROLE ${base}_b LOGIN IN ROLE ${base}`);
  } finally {
    await admin.end();
  }
  fresh = await freshDatabase();
});

afterAll(async () => {
  await fresh?.drop();
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  for (const role of roles) await admin.query(`DROP ROLE IF EXISTS ${role}`);
  await admin.end();
});

const loginFails = async (target: PostgresRoleTarget, username: string, password: string, reason: RegExp) => {
  const error = await target.verify({ username, password }).catch((e: Error) => e);
  // A refusal, not a transient failure: the rotation must not retry it.
  expect(error).toBeInstanceOf(RotationTargetError);
  expect((error as Error).message).toMatch(reason);
  expect((error as Error).message).not.toContain(password);
};

describe('PostgresRoleTarget single-user', () => {
  const target = () => PostgresRoleTarget.fromEnvironment({ strategy: 'single-user', role: single }, 'TARGET_ADMIN_URL', env());

  it('always rotates the one role', () => {
    expect(target().nextUsername()).toBe(single);
    expect(target().nextUsername(single)).toBe(single);
  });

  it('a new password logs in at once and the old one stops working', async () => {
    const old = generateSecret();
    await target().apply({ username: single, password: old });
    await target().verify({ username: single, password: old });

    const next = generateSecret();
    await target().apply({ username: single, password: next });
    await target().apply({ username: single, password: next });
    await target().verify({ username: single, password: next });
    await loginFails(target(), single, old, new RegExp(`cannot log in to .* as ${single} with the new password: password authentication failed`));

    // Nothing left to revoke: apply already replaced the old password.
    await target().revoke({ username: single, password: old });
    await target().verify({ username: single, password: next });
  });
});

describe('PostgresRoleTarget alternating-users', () => {
  const target = () => PostgresRoleTarget.fromEnvironment({ strategy: 'alternating-users', baseRole: base }, 'TARGET_ADMIN_URL', env());
  const [a, b] = [`${base}_a`, `${base}_b`];

  it('alternates between the two roles', () => {
    expect(target().nextUsername()).toBe(a);
    expect(target().nextUsername(a)).toBe(b);
    expect(target().nextUsername(b)).toBe(a);
    expect(() => target().nextUsername(single)).toThrow(/not managed by this target/);
  });

  it('keeps the previous role working until it is revoked, then re-enables it on the next rotation', async () => {
    const a1 = generateSecret();
    await target().apply({ username: a, password: a1 });
    await target().verify({ username: a, password: a1 });

    const b1 = generateSecret();
    await target().apply({ username: b, password: b1 });
    await target().verify({ username: b, password: b1 });
    await target().verify({ username: a, password: a1 });

    await target().revoke({ username: a, password: a1 });
    await target().revoke({ username: a, password: a1 });
    await loginFails(target(), a, a1, /is not permitted to log in|password authentication failed/);
    await target().verify({ username: b, password: b1 });

    const a2 = generateSecret();
    await target().apply({ username: a, password: a2 });
    await target().verify({ username: a, password: a2 });
    await target().verify({ username: b, password: b1 });
    await loginFails(target(), a, a1, /password authentication failed/);
  });
});

describe('PostgresRoleTarget guards', () => {
  it('refuses roles it does not manage, and roles that do not exist', async () => {
    const target = PostgresRoleTarget.fromEnvironment({ strategy: 'single-user', role: single }, 'TARGET_ADMIN_URL', env());
    await expect(target.apply({ username: 'postgres', password: generateSecret() })).rejects.toThrow(`role "postgres" is not managed by this target (expected ${single})`);
    const missing = PostgresRoleTarget.fromEnvironment({ strategy: 'alternating-users', baseRole: `${prefix}_missing` }, 'TARGET_ADMIN_URL', env());
    await expect(missing.apply({ username: `${prefix}_missing_a`, password: generateSecret() })).rejects.toThrow(
      `role ${prefix}_missing_a does not exist; create it first (CREATE ROLE ${prefix}_missing_a LOGIN IN ROLE ${prefix}_missing)`,
    );
  });

  it('reports an unreachable target as transient (a plain Error), so the step is retried', async () => {
    const url = new URL(fresh.url);
    url.port = String(await freePort());
    const target = PostgresRoleTarget.fromEnvironment({ strategy: 'single-user', role: single }, 'TARGET_ADMIN_URL', { TARGET_ADMIN_URL: url.toString() });
    const error = await target.apply({ username: single, password: generateSecret() }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RotationTargetError);
    expect((error as Error).message).toMatch(/^cannot connect to the target's admin connection 127\.0\.0\.1:\d+\/secops_t_\w+: .*ECONNREFUSED/);
  });

  it('takes the admin URL only from the named environment variable', () => {
    expect(() => PostgresRoleTarget.fromEnvironment({ strategy: 'single-user', role: single }, 'SHOP_DB_ADMIN_URL', {})).toThrow(
      'SHOP_DB_ADMIN_URL is not set; it holds the admin connection URL for this target',
    );
    expect(() => PostgresRoleTarget.fromEnvironment({ strategy: 'single-user', role: 'Robert"; DROP' }, 'SHOP_DB_ADMIN_URL', env())).toThrow(/role must be a lowercase role name/);
  });

  it('generates URL-safe secrets of at least 32 characters', () => {
    const secrets = Array.from({ length: 50 }, () => generateSecret());
    for (const secret of secrets) expect(secret).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(new Set(secrets).size).toBe(secrets.length);
    expect(generateSecret(32)).toHaveLength(32);
    expect(() => generateSecret(31)).toThrow(RangeError);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { runEntry } from '../support/run-cli';

/** `secops store migrate` as an operator runs it, against empty PostgreSQL databases. */
describe('secops store migrate', () => {
  let fresh: FreshDatabase;
  let racing: FreshDatabase;
  beforeAll(async () => {
    [fresh, racing] = await Promise.all([freshDatabase(), freshDatabase()]);
  });
  afterAll(async () => {
    await fresh?.drop();
    await racing?.drop();
  });

  const shown = (url: string) => {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  };
  const ledger = async (db: FreshDatabase) => (await db.db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version')).rows;
  const allApplied = `applied ${MIGRATIONS.map((m) => m.name).join(', ')}`;

  it('brings an empty database to the latest schema, then has nothing left to apply', async () => {
    const first = await runEntry(['secops', 'store', 'migrate'], { DATABASE_URL: fresh.url });
    expect(first).toMatchObject({ code: 0, stderr: '', stdout: `${shown(fresh.url)}: ${allApplied}\n` });
    // The password never reaches the output.
    expect(first.stdout).not.toContain(new URL(fresh.url).password);
    const after = await ledger(fresh);
    expect(after.map((m) => m.version).at(-1)).toBe(LATEST_SCHEMA_VERSION);
    expect(after).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    const tables = await fresh.db.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    expect(tables.rows.map((t) => t.name)).toEqual(expect.arrayContaining(['audit_events', 'scans', 'schema_migrations', 'triage_decisions']));

    const second = await runEntry(['secops', 'store', 'migrate'], { DATABASE_URL: fresh.url });
    expect(second).toMatchObject({ code: 0, stderr: '', stdout: `${shown(fresh.url)}: up to date\n` });
    expect(await ledger(fresh)).toEqual(after);
  });

  it('two migrators started at once apply each migration exactly once', async () => {
    const both = await Promise.all([1, 2].map(() => runEntry(['secops', 'store', 'migrate'], { DATABASE_URL: racing.url })));
    expect(both.map((r) => [r.code, r.stderr])).toEqual([[0, ''], [0, '']]);
    expect(both.map((r) => r.stdout).sort()).toEqual([`${shown(racing.url)}: ${allApplied}\n`, `${shown(racing.url)}: up to date\n`].sort());
    expect(await ledger(racing)).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
  });

  it('without DATABASE_URL, or with one that is not PostgreSQL, exits 2 before connecting to anything', async () => {
    const missing = await runEntry(['secops', 'store', 'migrate'], { DATABASE_URL: undefined });
    expect(missing).toMatchObject({ code: 2, stdout: '', stderr: 'error: environment is invalid:\n  - DATABASE_URL: required for secops store migrate\n' });
    const wrong = await runEntry(['secops', 'store', 'migrate'], { DATABASE_URL: 'mysql://root@127.0.0.1/shop' });
    expect(wrong).toMatchObject({ code: 2, stdout: '', stderr: 'error: environment is invalid:\n  - DATABASE_URL: must be a postgres:// URL\n' });
  });
});

import { inTransaction, type Database } from './database';
import { auditEvents } from './migrations/0001-audit-events';
import { dast } from './migrations/0002-dast';
import { auditNoTruncate } from './migrations/0003-audit-no-truncate';
import { auditChain } from './migrations/0004-audit-chain';
import { coverage } from './migrations/0005-coverage';
import { weaknessSplit } from './migrations/0006-weakness-split';
import { incidents } from './migrations/0007-incidents';
import { alertOutbox } from './migrations/0008-alert-outbox';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** In order; a migration, once released, is never edited — add a new one. */
export const MIGRATIONS: Migration[] = [auditEvents, dast, auditNoTruncate, auditChain, coverage, weaknessSplit, incidents, alertOutbox];

export const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

const CREATE_LEDGER = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`;

/** Any constant of ours: advisory locks are per database, so it serializes the migrators of one store. */
const MIGRATION_LOCK = 0x5ec0_f10e;

/**
 * Applies pending migrations, each in the same transaction as its ledger row. Workers
 * starting together queue on the advisory lock, ledger creation included (a concurrent
 * CREATE TABLE IF NOT EXISTS can still fail on the table's type): the first applies, the
 * others then find nothing left to do.
 */
export async function migrate(db: Database): Promise<Migration[]> {
  return inTransaction(db, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(CREATE_LEDGER);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    const pending = MIGRATIONS.filter((m) => !applied.has(m.version));
    for (const migration of pending) {
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    return pending;
  });
}

export interface SchemaState {
  version: number;
  pending: Migration[];
}

export async function schemaState(db: Database): Promise<SchemaState> {
  const ledger = await db.query<{ exists: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`);
  let version = 0;
  if (ledger.rows[0]?.exists) {
    const { rows } = await db.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
    version = rows[0]?.version ?? 0;
  }
  return { version, pending: MIGRATIONS.filter((m) => m.version > version) };
}

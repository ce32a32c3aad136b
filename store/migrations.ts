import { inTransaction, type Database } from './database';
import { auditEvents } from './migrations/0001-audit-events';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** In order; a migration, once released, is never edited — add a new one. */
export const MIGRATIONS: Migration[] = [auditEvents];

export const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

const CREATE_LEDGER = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`;

/**
 * Applies pending migrations, each in the same transaction as its ledger row. Workers
 * starting together may race here: the table lock makes the second wait, then find
 * nothing left to do.
 */
export async function migrate(db: Database): Promise<Migration[]> {
  await db.query(CREATE_LEDGER);
  return inTransaction(db, async (client) => {
    await client.query('LOCK TABLE schema_migrations IN SHARE ROW EXCLUSIVE MODE');
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
  const { rows } = await db.query<{ version: number | null }>(
    `SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN NULL
            ELSE (SELECT COALESCE(MAX(version), 0) FROM schema_migrations) END AS version`,
  );
  const version = rows[0]?.version ?? 0;
  return { version, pending: MIGRATIONS.filter((m) => m.version > version) };
}

import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { projectPath } from '../../processes/tool-paths';
import { openDatabase, type Database } from '../../store/database';

/** The test PostgreSQL that `scripts/setup.sh --test` started; fails with the reason when absent. */
export function testDatabaseUrl(): string {
  if (process.env.SECOPS_TEST_DATABASE_URL) return process.env.SECOPS_TEST_DATABASE_URL;
  const file = projectPath('.secops', 'test.env');
  const line = existsSync(file) ? readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('SECOPS_TEST_DATABASE_URL=')) : undefined;
  if (!line) throw new Error('no test PostgreSQL: run `npm test` (scripts/setup.sh --test starts one) or set SECOPS_TEST_DATABASE_URL');
  return line.slice('SECOPS_TEST_DATABASE_URL='.length);
}

export interface FreshDatabase {
  url: string;
  db: Database;
  drop(): Promise<void>;
}

/** A new, empty database per test file, so files run in parallel without sharing tables. */
export async function freshDatabase(): Promise<FreshDatabase> {
  const adminUrl = testDatabaseUrl();
  const name = `secops_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect().catch((error: Error) => {
    throw new Error(`test PostgreSQL unreachable (${error.message}); run \`npm test\`, which starts it`);
  });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openDatabase(url.toString());
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.end();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      try {
        await dropWithRetry(cleanup, name);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/** A session the test role may not end (one that is just starting, or a server process) passes within moments; three tries, then the error. */
async function dropWithRetry(client: pg.Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '42501' || attempt === 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

import pg from 'pg';

/**
 * Whether `username` / `password` log in to the database at `databaseUrl` (a real login and
 * SELECT 1). false only when PostgreSQL refuses the password (SQLSTATE 28P01): any other
 * failure is thrown, so an unreachable server cannot pass for a rejected password.
 */
export async function logsIn(databaseUrl: string, username: string, password: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  url.username = username;
  url.password = encodeURIComponent(password);
  const client = new pg.Client({ connectionString: url.toString() });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === '28P01') return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

import type { CheckResult } from '../../domain/preflight';
import type { Database } from '../../store/database';
import { redactUrl } from '../../domain/redact-url';
import { LATEST_SCHEMA_VERSION, schemaState } from '../../store/migrations';

export function createStoreChecks(store: { db: Database; url: string } | undefined) {
  return {
    /** The store answers and its schema is at the version this code expects. */
    async checkStore(): Promise<CheckResult> {
      if (!store) return { check: 'store', status: 'failed', detail: 'DATABASE_URL is not set (secops dev starts an embedded store)' };
      const where = redactUrl(store.url);
      try {
        const { rows } = await store.db.query<{ server_version: string }>('SHOW server_version');
        const state = await schemaState(store.db);
        if (state.pending.length > 0) {
          return { check: 'store', status: 'failed', detail: `${where}: schema v${state.version}, ${state.pending.length} migration(s) pending (run secops store migrate)` };
        }
        return { check: 'store', status: 'ok', detail: `PostgreSQL ${rows[0]?.server_version} at ${where}, schema v${LATEST_SCHEMA_VERSION}` };
      } catch (error) {
        return { check: 'store', status: 'failed', detail: `${where} unreachable: ${(error as Error).message}` };
      }
    },
  };
}

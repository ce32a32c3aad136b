import type { CheckResult } from '../../domain/preflight';
import type { Database } from '../../store/database';
import { redactUrl } from '../../domain/redact-url';
import { alertOutboxBacklog } from '../../store/alert-outbox';
import { LATEST_SCHEMA_VERSION, schemaState } from '../../store/migrations';

/** An alert taken in is normally sent on within a second; one still waiting after this long means something is wrong. */
const ALERT_BACKLOG_AFTER_SECONDS = 60;

export function createStoreChecks(store: { db: Database; url: string } | undefined) {
  return {
    /**
     * The store answers and its schema is at the version this code expects; a warning when
     * alerts taken in by `secops http` wait in its outbox (Temporal unreachable, or no
     * `secops http` running to send them): their incidents have not opened yet.
     */
    async checkStore(): Promise<CheckResult> {
      if (!store) return { check: 'store', status: 'failed', detail: 'DATABASE_URL is not set (secops dev starts an embedded store)' };
      const where = redactUrl(store.url);
      try {
        const { rows } = await store.db.query<{ server_version: string }>('SHOW server_version');
        const state = await schemaState(store.db);
        if (state.pending.length > 0) {
          return { check: 'store', status: 'failed', detail: `${where}: schema v${state.version}, ${state.pending.length} migration(s) pending (run secops store migrate)` };
        }
        const detail = `PostgreSQL ${rows[0]?.server_version} at ${where}, schema v${LATEST_SCHEMA_VERSION}`;
        const backlog = await alertOutboxBacklog(store.db, ALERT_BACKLOG_AFTER_SECONDS);
        if (backlog.waiting > 0) {
          const why = backlog.lastError ? `; last error: ${backlog.lastError}` : '; is secops http running?';
          return { check: 'store', status: 'warn', detail: `${detail}; ${backlog.waiting} alert group(s) not yet sent to their incidents, the oldest taken in ${backlog.oldestSeconds} s ago${why}` };
        }
        return { check: 'store', status: 'ok', detail };
      } catch (error) {
        return { check: 'store', status: 'failed', detail: `${where} unreachable: ${(error as Error).message}` };
      }
    },
  };
}

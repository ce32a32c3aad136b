import type { Migration } from '../migrations';

/**
 * A row trigger never sees TRUNCATE, so 0001's append-only rule could be skipped by
 * emptying the table at once: a statement trigger closes that way too.
 */
export const auditNoTruncate: Migration = {
  version: 3,
  name: 'audit-no-truncate',
  sql: `
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
  `,
};

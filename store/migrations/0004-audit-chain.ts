import type { Migration } from '../migrations';

/**
 * The audit trail becomes a hash chain per stream (domain/audit-chain.ts), and a vote's
 * row keeps its ballot's signature and key id. Rows from before have no hash: they stay
 * as they are (the table is append-only) and `secops audit verify` counts them apart;
 * every new row must be chained (NOT VALID: the check applies to new rows only). Two rows
 * can never link to the same predecessor, so a chain cannot fork even under concurrency.
 * DELETE and UPDATE were refused per row since 0001, TRUNCATE since 0003.
 */
export const auditChain: Migration = {
  version: 4,
  name: 'audit-chain',
  sql: `
    ALTER TABLE audit_events
      ADD COLUMN stream    TEXT,
      ADD COLUMN prev_hash TEXT,
      ADD COLUMN hash      TEXT,
      ADD COLUMN signature TEXT,
      ADD COLUMN key_id    TEXT;
    ALTER TABLE audit_events ADD CONSTRAINT audit_events_chained
      CHECK (stream IS NOT NULL AND prev_hash ~ '^[0-9a-f]{64}$' AND hash ~ '^[0-9a-f]{64}$') NOT VALID;
    CREATE UNIQUE INDEX audit_events_one_successor ON audit_events (stream, prev_hash);
    CREATE INDEX audit_events_stream_order ON audit_events (stream, id);
    CREATE INDEX audit_events_actor_time ON audit_events (actor, occurred_at);
  `,
};

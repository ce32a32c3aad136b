import type { Migration } from '../migrations';

export const auditEvents: Migration = {
  version: 1,
  name: 'audit-events',
  sql: `
    CREATE TABLE audit_events (
      id              BIGSERIAL PRIMARY KEY,
      occurred_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
      actor           TEXT NOT NULL,
      action          TEXT NOT NULL,
      subject         TEXT NOT NULL,
      outcome         TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused', 'succeeded', 'failed')),
      details         JSONB NOT NULL DEFAULT '{}'::jsonb,
      -- Activities are retried; the same event written twice must land once.
      idempotency_key TEXT UNIQUE
    );
    CREATE INDEX audit_events_subject_time ON audit_events (subject, occurred_at);

    -- The audit trail is append-only, whoever holds the connection.
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only';
    END $$;
    CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
  `,
};

import type { Migration } from '../migrations';

/**
 * Incidents, their timelines, and the Standard Webhooks delivery ids already taken in.
 *
 * - incidents mirrors the running workflow's IncidentView (domain/incident.ts), so an
 *   incident stays listable after its run is gone. Roles, handoffs, milestones and the rest
 *   are JSONB: the workflow owns their shape, and they are read whole, never queried into.
 *   The enumerations are checked here as well, since a bad value would outlive the run that
 *   wrote it. open_tasks keeps the view whole: a round trip gives back what was saved.
 * - incident_timeline is evidence of what happened when: append-only like audit_events
 *   (0001, 0003). seq is the workflow's own numbering, so a retried append lands once. Its
 *   kind is not checked: new kinds come with new code, and a migration per kind buys nothing
 *   the domain's types do not already give. The foreign key (no cascade) means an incident
 *   with a timeline cannot be deleted either.
 * - webhook_deliveries remembers each (source, webhook-id) for a day; a sender's retries
 *   fall inside its five-minute signature window, so a day is ample.
 */
export const incidents: Migration = {
  version: 7,
  name: 'incidents',
  sql: `
    CREATE TABLE incidents (
      id           TEXT PRIMARY KEY,
      workflow_id  TEXT NOT NULL UNIQUE,
      title        TEXT NOT NULL,
      playbook     TEXT NOT NULL,
      severity     TEXT NOT NULL CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4')),
      priority     TEXT NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
      status       TEXT NOT NULL CHECK (status IN ('active', 'stable', 'closed')),
      roles        JSONB NOT NULL DEFAULT '{}'::jsonb,
      participants JSONB NOT NULL DEFAULT '[]'::jsonb,
      handoffs     JSONB NOT NULL DEFAULT '[]'::jsonb,
      milestones   JSONB NOT NULL DEFAULT '{}'::jsonb,
      alert_keys   JSONB NOT NULL DEFAULT '[]'::jsonb,
      open_tasks   JSONB NOT NULL DEFAULT '[]'::jsonb,
      channel      TEXT,
      created_at   TIMESTAMPTZ NOT NULL,
      updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
      closed_at    TIMESTAMPTZ,
      CHECK ((status = 'closed') = (closed_at IS NOT NULL))
    );
    CREATE INDEX incidents_created ON incidents (created_at DESC, id DESC);
    CREATE INDEX incidents_status_created ON incidents (status, created_at DESC, id DESC);

    CREATE TABLE incident_timeline (
      incident_id TEXT NOT NULL REFERENCES incidents (id),
      seq         INTEGER NOT NULL CHECK (seq >= 0),
      at          TIMESTAMPTZ NOT NULL,
      kind        TEXT NOT NULL,
      actor       TEXT NOT NULL,
      text        TEXT NOT NULL,
      data        JSONB,
      recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (incident_id, seq)
    );

    -- One function for every append-only table from here on: it names the table refused.
    CREATE FUNCTION append_only_table() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
    END $$;
    CREATE TRIGGER incident_timeline_no_change BEFORE UPDATE OR DELETE ON incident_timeline
      FOR EACH ROW EXECUTE FUNCTION append_only_table();
    CREATE TRIGGER incident_timeline_no_truncate BEFORE TRUNCATE ON incident_timeline
      FOR EACH STATEMENT EXECUTE FUNCTION append_only_table();

    CREATE TABLE webhook_deliveries (
      source      TEXT NOT NULL,
      delivery_id TEXT NOT NULL,
      received_at TIMESTAMPTZ NOT NULL,
      PRIMARY KEY (source, delivery_id)
    );
    CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);
  `,
};

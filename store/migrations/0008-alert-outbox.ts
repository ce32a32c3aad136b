import type { Migration } from '../migrations';

/**
 * Alerts taken in and not yet handed to their incident's run: the webhook answers once its
 * alerts are here (a transactional outbox), and a dispatcher signals them to Temporal
 * (client/alert-dispatcher.ts). A row leaves only once its signal was sent; a dispatcher
 * that dies holding one gives it up when its lease (next_attempt_at) runs out.
 *
 * - workflow_id: the group's run (client/alert-intake.ts alertWorkflowId).
 * - opens: whether the group may open an incident; a group that has only resolved is
 *   signalled to an open one or dropped.
 * - input: the IncidentInput an opening starts with, routed and validated at intake.
 * - delivery: the AlertDelivery signal.
 */
export const alertOutbox: Migration = {
  version: 8,
  name: 'alert-outbox',
  sql: `
    CREATE TABLE alert_outbox (
      id              BIGSERIAL PRIMARY KEY,
      workflow_id     TEXT NOT NULL,
      opens           BOOLEAN NOT NULL,
      input           JSONB NOT NULL,
      delivery        JSONB NOT NULL,
      received_at     TIMESTAMPTZ NOT NULL,
      attempts        INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      last_error      TEXT
    );
    CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at, id);
    -- A run's older groups are looked up when leasing, so that they go first.
    CREATE INDEX alert_outbox_run ON alert_outbox (workflow_id, id);
  `,
};

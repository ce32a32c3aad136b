import type { Migration } from '../migrations';

export const dast: Migration = {
  version: 2,
  name: 'dast',
  sql: `
    -- One row per scan; the id is the workflow id, so a retried activity finds its scan.
    CREATE TABLE scans (
      id          TEXT PRIMARY KEY,
      target_id   TEXT NOT NULL,
      engine      TEXT NOT NULL,
      profile     TEXT NOT NULL,
      status      TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
      started_at  TIMESTAMPTZ NOT NULL,
      finished_at TIMESTAMPTZ,
      verdict     TEXT CHECK (verdict IN ('pass', 'warn', 'fail')),
      counts      JSONB,
      report_dir  TEXT,
      error       TEXT
    );
    CREATE INDEX scans_target_completed ON scans (target_id, finished_at DESC) WHERE status = 'completed';

    -- What each scan saw: the baseline of the next scan of the same target.
    CREATE TABLE scan_findings (
      scan_id     TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
      fingerprint TEXT NOT NULL,
      finding     JSONB NOT NULL,
      PRIMARY KEY (scan_id, fingerprint)
    );

    -- Each finding's life per target: first and last seen, open or fixed.
    CREATE TABLE findings (
      target_id       TEXT NOT NULL,
      fingerprint     TEXT NOT NULL,
      rule_id         TEXT NOT NULL,
      title           TEXT NOT NULL,
      severity        TEXT NOT NULL,
      url             TEXT NOT NULL,
      parameter       TEXT,
      status          TEXT NOT NULL CHECK (status IN ('open', 'fixed')),
      first_seen_scan TEXT NOT NULL REFERENCES scans (id),
      first_seen_at   TIMESTAMPTZ NOT NULL,
      last_seen_scan  TEXT NOT NULL REFERENCES scans (id),
      last_seen_at    TIMESTAMPTZ NOT NULL,
      PRIMARY KEY (target_id, fingerprint)
    );

    CREATE TABLE triage_decisions (
      id          BIGSERIAL PRIMARY KEY,
      target_id   TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      kind        TEXT NOT NULL CHECK (kind IN ('accepted-risk', 'false-positive', 'ticket')),
      reason      TEXT,
      ticket_url  TEXT,
      expires_at  TIMESTAMPTZ,
      decided_by  TEXT NOT NULL,
      decided_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
      revoked_at  TIMESTAMPTZ,
      CHECK (kind <> 'accepted-risk' OR (expires_at IS NOT NULL AND reason IS NOT NULL)),
      CHECK (kind <> 'false-positive' OR reason IS NOT NULL),
      CHECK (kind <> 'ticket' OR ticket_url IS NOT NULL)
    );
    CREATE INDEX triage_decisions_target ON triage_decisions (target_id, fingerprint) WHERE revoked_at IS NULL;
  `,
};

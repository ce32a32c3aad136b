import type { Migration } from '../migrations';

/**
 * Coverage-aware diff (issue 11): what each scan covered, and which open findings the
 * latest scan could not re-test.
 *
 * - scans.quality: the scan's ScanQuality (domain/scan-report.ts), the figures reports show;
 *   scans.coverage: the locations it reached and those each module attacked
 *   (domain/coverage.ts), what the diff decides "fixed" by. NULL for scans from before:
 *   nothing they left open becomes fixed on their evidence.
 * - findings.not_retested_scan: the latest completed scan that did not see an open finding
 *   and could not show it re-tested; NULL once a scan sees it again. Status, first and last
 *   seen and triage are untouched: a finding not re-tested stays open.
 */
export const coverage: Migration = {
  version: 5,
  name: 'coverage',
  sql: `
    ALTER TABLE scans
      ADD COLUMN quality  JSONB,
      ADD COLUMN coverage JSONB;
    ALTER TABLE findings
      ADD COLUMN not_retested_scan TEXT REFERENCES scans (id);
  `,
};

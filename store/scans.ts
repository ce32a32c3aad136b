import type { Engine, Finding, FindingSummary, SeverityCounts } from '../domain/finding';
import type { Verdict } from '../domain/scan-report';
import { inTransaction, type Database } from './database';

export interface ScanRecord {
  id: string;
  targetId: string;
  engine: Engine;
  profile: string;
  status: 'running' | 'completed' | 'failed';
  startedAt: Date;
  finishedAt?: Date;
  verdict?: Verdict;
  counts?: SeverityCounts;
  reportDir?: string;
  error?: string;
}

/** Records a scan as running; a retry of the same workflow finds the row already there. */
export async function recordScanStarted(db: Database, scan: Pick<ScanRecord, 'id' | 'targetId' | 'engine' | 'profile' | 'startedAt'>): Promise<void> {
  await db.query(
    `INSERT INTO scans (id, target_id, engine, profile, status, started_at) VALUES ($1, $2, $3, $4, 'running', $5) ON CONFLICT (id) DO NOTHING`,
    [scan.id, scan.targetId, scan.engine, scan.profile, scan.startedAt],
  );
}

const BATCH = 2_000;

/**
 * Replaces what a scan saw. Idempotent: an ingest retried after a worker crash rewrites
 * the same rows instead of adding a second copy.
 */
export async function storeScanFindings(db: Database, scanId: string, findings: Finding[]): Promise<void> {
  await inTransaction(db, async (client) => {
    await client.query('DELETE FROM scan_findings WHERE scan_id = $1', [scanId]);
    for (let i = 0; i < findings.length; i += BATCH) {
      const batch = findings.slice(i, i + BATCH);
      await client.query(
        `INSERT INTO scan_findings (scan_id, fingerprint, finding) SELECT $1, f, d FROM unnest($2::text[], $3::jsonb[]) AS t(f, d)`,
        [scanId, batch.map((f) => f.fingerprint), batch.map((f) => JSON.stringify(f))],
      );
    }
  });
}

export async function loadScanFindings(db: Database, scanId: string): Promise<Finding[]> {
  const { rows } = await db.query<{ finding: Finding }>('SELECT finding FROM scan_findings WHERE scan_id = $1', [scanId]);
  return rows.map((r) => r.finding);
}

/** A scan's findings as the next scan's baseline needs them: summaries, without instances. */
export async function loadScanFindingSummaries(db: Database, scanId: string): Promise<FindingSummary[]> {
  const { rows } = await db.query<{ finding: FindingSummary }>(
    `SELECT jsonb_build_object('fingerprint', fingerprint, 'engine', finding->'engine', 'ruleId', finding->'ruleId', 'title', finding->'title',
       'severity', finding->'severity', 'confidence', finding->'confidence', 'cwe', finding->'cwe', 'url', finding->'url',
       'method', finding->'method', 'parameter', finding->'parameter') AS finding
     FROM scan_findings WHERE scan_id = $1`,
    [scanId],
  );
  return rows.map((r) => stripNulls(r.finding));
}

function stripNulls<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as T;
}

export async function getScan(db: Database, scanId: string): Promise<ScanRecord | undefined> {
  const { rows } = await db.query('SELECT * FROM scans WHERE id = $1', [scanId]);
  return rows[0] ? toScan(rows[0]) : undefined;
}

/** The baseline: the latest completed scan of the target, other than `excluding`. */
export async function lastCompletedScan(db: Database, targetId: string, excluding: string): Promise<ScanRecord | undefined> {
  const { rows } = await db.query(
    `SELECT * FROM scans WHERE target_id = $1 AND status = 'completed' AND id <> $2 ORDER BY finished_at DESC LIMIT 1`,
    [targetId, excluding],
  );
  return rows[0] ? toScan(rows[0]) : undefined;
}

export async function listScans(db: Database, targetId: string, limit = 20): Promise<ScanRecord[]> {
  const { rows } = await db.query('SELECT * FROM scans WHERE target_id = $1 ORDER BY started_at DESC LIMIT $2', [targetId, limit]);
  return rows.map(toScan);
}

export async function firstSeenDates(db: Database, targetId: string): Promise<Map<string, string>> {
  const { rows } = await db.query<{ fingerprint: string; first_seen_at: Date }>('SELECT fingerprint, first_seen_at FROM findings WHERE target_id = $1', [targetId]);
  return new Map(rows.map((r) => [r.fingerprint, r.first_seen_at.toISOString()]));
}

/**
 * Completes a scan and moves each finding's life on, in one transaction: what it saw is
 * open (first-seen kept), what the target had open and it did not see is fixed.
 */
export async function completeScan(db: Database, scanId: string, result: { verdict: Verdict; counts: SeverityCounts; reportDir: string; finishedAt: Date }): Promise<void> {
  await inTransaction(db, async (client) => {
    const { rows } = await client.query<{ target_id: string; status: string }>('SELECT target_id, status FROM scans WHERE id = $1 FOR UPDATE', [scanId]);
    const scan = rows[0];
    if (!scan) throw new Error(`scan ${scanId} was never recorded`);
    if (scan.status === 'completed') return;
    await client.query(
      `INSERT INTO findings (target_id, fingerprint, rule_id, title, severity, url, parameter, status, first_seen_scan, first_seen_at, last_seen_scan, last_seen_at)
       SELECT $1, sf.fingerprint, sf.finding->>'ruleId', sf.finding->>'title', sf.finding->>'severity', sf.finding->>'url', sf.finding->>'parameter',
              'open', $2, $3, $2, $3
       FROM scan_findings sf WHERE sf.scan_id = $2
       ON CONFLICT (target_id, fingerprint) DO UPDATE
         SET status = 'open', last_seen_scan = EXCLUDED.last_seen_scan, last_seen_at = EXCLUDED.last_seen_at,
             title = EXCLUDED.title, severity = EXCLUDED.severity`,
      [scan.target_id, scanId, result.finishedAt],
    );
    await client.query(
      `UPDATE findings SET status = 'fixed'
       WHERE target_id = $1 AND status = 'open' AND last_seen_scan <> $2`,
      [scan.target_id, scanId],
    );
    await client.query(
      `UPDATE scans SET status = 'completed', verdict = $2, counts = $3, report_dir = $4, finished_at = $5 WHERE id = $1`,
      [scanId, result.verdict, JSON.stringify(result.counts), result.reportDir, result.finishedAt],
    );
  });
}

export async function failScan(db: Database, scanId: string, error: string, finishedAt: Date): Promise<void> {
  await db.query(`UPDATE scans SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1 AND status = 'running'`, [scanId, error, finishedAt]);
}

export interface StoredFinding {
  fingerprint: string;
  ruleId: string;
  title: string;
  severity: string;
  url: string;
  parameter?: string;
  status: 'open' | 'fixed';
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export async function listTargetFindings(db: Database, targetId: string): Promise<StoredFinding[]> {
  const { rows } = await db.query(
    `SELECT * FROM findings WHERE target_id = $1
     ORDER BY status = 'fixed', array_position(ARRAY['critical','high','medium','low','info'], severity), rule_id, url`,
    [targetId],
  );
  return rows.map((r) => ({
    fingerprint: r.fingerprint, ruleId: r.rule_id, title: r.title, severity: r.severity, url: r.url, parameter: r.parameter ?? undefined,
    status: r.status, firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at,
  }));
}

function toScan(row: Record<string, unknown>): ScanRecord {
  return {
    id: row.id as string,
    targetId: row.target_id as string,
    engine: row.engine as Engine,
    profile: row.profile as string,
    status: row.status as ScanRecord['status'],
    startedAt: row.started_at as Date,
    finishedAt: (row.finished_at as Date | null) ?? undefined,
    verdict: (row.verdict as Verdict | null) ?? undefined,
    counts: (row.counts as SeverityCounts | null) ?? undefined,
    reportDir: (row.report_dir as string | null) ?? undefined,
    error: (row.error as string | null) ?? undefined,
  };
}

import type { ScanCoverage } from '../domain/coverage';
import type { Engine, Finding, FindingSummary, SeverityCounts } from '../domain/finding';
import { scanQualitySchema, type ScanQuality, type Verdict } from '../domain/scan-report';
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
  /** What the scan covered; absent for scans recorded before it was. */
  quality?: ScanQuality;
}

/** Every column but `coverage`, which only the diff needs and which grows with the site. */
const SCAN_COLUMNS = 'id, target_id, engine, profile, status, started_at, finished_at, verdict, counts, report_dir, error, quality';

/** Records a scan as running; a retry of the same workflow finds the row already there. */
export async function recordScanStarted(db: Database, scan: Pick<ScanRecord, 'id' | 'targetId' | 'engine' | 'profile' | 'startedAt'>): Promise<void> {
  await db.query(
    `INSERT INTO scans (id, target_id, engine, profile, status, started_at) VALUES ($1, $2, $3, $4, 'running', $5) ON CONFLICT (id) DO NOTHING`,
    [scan.id, scan.targetId, scan.engine, scan.profile, scan.startedAt],
  );
}

const BATCH = 2_000;

/** Where a report's findings go as it is read: `add` each, and `drain` between chunks so a batch never grows past BATCH. */
export interface ScanFindingSink {
  add(finding: Finding): void;
  drain(): Promise<void>;
}

/**
 * Replaces what a scan saw with the findings `produce` hands to the sink while it reads a
 * report, written in batches inside one transaction: memory holds one batch, not the
 * report, and a report found bad halfway stores nothing. A fingerprint that comes again (a
 * later alert's part of one finding) is merged into what is already there by `merge`, the
 * parser's own rule. Idempotent: a retried ingest replaces the rows instead of adding copies.
 */
export async function storeScanFindingStream(
  db: Database,
  scanId: string,
  merge: (known: Finding, part: Finding) => void,
  produce: (sink: ScanFindingSink) => Promise<void>,
): Promise<{ findings: number; instances: number }> {
  return inTransaction(db, async (client) => {
    await client.query('DELETE FROM scan_findings WHERE scan_id = $1', [scanId]);
    let pending = new Map<string, Finding>();
    let instances = 0;
    const flush = async (): Promise<void> => {
      if (pending.size === 0) return;
      const batch = pending;
      pending = new Map();
      const { rows } = await client.query<{ finding: Finding }>('SELECT finding FROM scan_findings WHERE scan_id = $1 AND fingerprint = ANY($2::text[])', [scanId, [...batch.keys()]]);
      for (const { finding: known } of rows) {
        merge(known, batch.get(known.fingerprint) as Finding);
        batch.set(known.fingerprint, known);
      }
      await client.query(
        `INSERT INTO scan_findings (scan_id, fingerprint, finding) SELECT $1, f, d FROM unnest($2::text[], $3::jsonb[]) AS t(f, d)
         ON CONFLICT (scan_id, fingerprint) DO UPDATE SET finding = EXCLUDED.finding`,
        [scanId, [...batch.keys()], [...batch.values()].map((f) => JSON.stringify(f))],
      );
    };
    await produce({
      add(finding) {
        instances += finding.instances.length;
        const known = pending.get(finding.fingerprint);
        if (known) merge(known, finding);
        else pending.set(finding.fingerprint, finding);
      },
      async drain() {
        if (pending.size >= BATCH) await flush();
      },
    });
    await flush();
    const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM scan_findings WHERE scan_id = $1', [scanId]);
    return { findings: Number(rows[0]?.count ?? 0), instances };
  });
}

/** The same for findings already in memory, each fingerprint once. */
export async function storeScanFindings(db: Database, scanId: string, findings: Finding[]): Promise<void> {
  await storeScanFindingStream(db, scanId, () => {
    throw new Error(`scan ${scanId}: a fingerprint was given twice`);
  }, async (sink) => {
    for (const finding of findings) {
      sink.add(finding);
      await sink.drain();
    }
  });
}

export async function loadScanFindings(db: Database, scanId: string): Promise<Finding[]> {
  const { rows } = await db.query<{ finding: Finding }>('SELECT finding FROM scan_findings WHERE scan_id = $1', [scanId]);
  return rows.map((r) => r.finding);
}

const SUMMARY = `jsonb_build_object('fingerprint', sf.fingerprint, 'engine', sf.finding->'engine', 'ruleId', sf.finding->'ruleId', 'title', sf.finding->'title',
       'severity', sf.finding->'severity', 'confidence', sf.finding->'confidence', 'cwe', sf.finding->'cwe', 'url', sf.finding->'url',
       'method', sf.finding->'method', 'parameter', sf.finding->'parameter', 'systemic', sf.finding->'systemic')`;

/** A scan's findings as summaries, without instances. */
export async function loadScanFindingSummaries(db: Database, scanId: string): Promise<FindingSummary[]> {
  const { rows } = await db.query<{ finding: FindingSummary }>(`SELECT ${SUMMARY} AS finding FROM scan_findings sf WHERE sf.scan_id = $1`, [scanId]);
  return rows.map((r) => stripNulls(r.finding));
}

/**
 * The next scan's baseline: every finding the target has open, as the scan that last saw it
 * stored it — the last completed scan's findings, and those earlier scans saw that later
 * ones could not re-test. A finding first seen by `scanId` itself (a retried diff) is not.
 */
export async function openFindingSummaries(db: Database, targetId: string, scanId: string): Promise<FindingSummary[]> {
  const { rows } = await db.query<{ finding: FindingSummary }>(
    `SELECT ${SUMMARY} AS finding FROM findings f
     JOIN scan_findings sf ON sf.scan_id = f.last_seen_scan AND sf.fingerprint = f.fingerprint
     WHERE f.target_id = $1 AND f.status = 'open' AND f.first_seen_scan <> $2`,
    [targetId, scanId],
  );
  return rows.map((r) => stripNulls(r.finding));
}

function stripNulls<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as T;
}

export async function getScan(db: Database, scanId: string): Promise<ScanRecord | undefined> {
  const { rows } = await db.query(`SELECT ${SCAN_COLUMNS} FROM scans WHERE id = $1`, [scanId]);
  return rows[0] ? toScan(rows[0]) : undefined;
}

/** The baseline: the latest completed scan of the target, other than `excluding`. */
export async function lastCompletedScan(db: Database, targetId: string, excluding: string): Promise<ScanRecord | undefined> {
  const { rows } = await db.query(
    `SELECT ${SCAN_COLUMNS} FROM scans WHERE target_id = $1 AND status = 'completed' AND id <> $2 ORDER BY finished_at DESC LIMIT 1`,
    [targetId, excluding],
  );
  return rows[0] ? toScan(rows[0]) : undefined;
}

export async function listScans(db: Database, targetId: string, limit = 20): Promise<ScanRecord[]> {
  const { rows } = await db.query(`SELECT ${SCAN_COLUMNS} FROM scans WHERE target_id = $1 ORDER BY started_at DESC LIMIT $2`, [targetId, limit]);
  return rows.map(toScan);
}

export async function firstSeenDates(db: Database, targetId: string): Promise<Map<string, string>> {
  const { rows } = await db.query<{ fingerprint: string; first_seen_at: Date }>('SELECT fingerprint, first_seen_at FROM findings WHERE target_id = $1', [targetId]);
  return new Map(rows.map((r) => [r.fingerprint, r.first_seen_at.toISOString()]));
}

export interface ScanCompletion {
  verdict: Verdict;
  counts: SeverityCounts;
  reportDir: string;
  finishedAt: Date;
  /** The open findings this scan did not see and demonstrably re-tested (domain/coverage.ts); none when absent. */
  fixed?: string[];
  coverage?: ScanCoverage;
}

/**
 * Completes a scan and moves each finding's life on, in one transaction: what it saw is
 * open (first-seen kept), what the target had open and it did not see is fixed when it is
 * in `fixed`, and otherwise stays open, marked not re-tested by this scan.
 */
export async function completeScan(db: Database, scanId: string, result: ScanCompletion): Promise<void> {
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
             title = EXCLUDED.title, severity = EXCLUDED.severity, not_retested_scan = NULL`,
      [scan.target_id, scanId, result.finishedAt],
    );
    await client.query(
      `UPDATE findings SET status = 'fixed', not_retested_scan = NULL
       WHERE target_id = $1 AND status = 'open' AND last_seen_scan <> $2 AND fingerprint = ANY($3::text[])`,
      [scan.target_id, scanId, result.fixed ?? []],
    );
    await client.query(
      `UPDATE findings SET not_retested_scan = $2
       WHERE target_id = $1 AND status = 'open' AND last_seen_scan <> $2`,
      [scan.target_id, scanId],
    );
    await client.query(
      `UPDATE scans SET status = 'completed', verdict = $2, counts = $3, report_dir = $4, finished_at = $5, quality = $6, coverage = $7 WHERE id = $1`,
      [scanId, result.verdict, JSON.stringify(result.counts), result.reportDir, result.finishedAt,
        result.coverage ? JSON.stringify(result.coverage.quality) : null, result.coverage ? JSON.stringify({ reached: result.coverage.reached, tested: result.coverage.tested, scanner: result.coverage.scanner }) : null],
    );
  });
}

/** Records a failed scan, with what it covered when that is known; no finding changes. */
export async function failScan(db: Database, scanId: string, error: string, finishedAt: Date, quality?: ScanQuality): Promise<void> {
  await db.query(`UPDATE scans SET status = 'failed', error = $2, finished_at = $3, quality = $4 WHERE id = $1 AND status = 'running'`,
    [scanId, error, finishedAt, quality ? JSON.stringify(quality) : null]);
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
  /** Open, but the latest completed scan (this one) did not see it and could not re-test it. */
  notRetestedScan?: string;
}

export async function listTargetFindings(db: Database, targetId: string): Promise<StoredFinding[]> {
  const { rows } = await db.query(
    `SELECT * FROM findings WHERE target_id = $1
     ORDER BY status = 'fixed', not_retested_scan IS NOT NULL, array_position(ARRAY['critical','high','medium','low','info'], severity), rule_id, url`,
    [targetId],
  );
  return rows.map((r) => ({
    fingerprint: r.fingerprint, ruleId: r.rule_id, title: r.title, severity: r.severity, url: r.url, parameter: r.parameter ?? undefined,
    status: r.status, firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at, ...(r.not_retested_scan && { notRetestedScan: r.not_retested_scan }),
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
    // A row written by hand or by a future version must not break the readers: unknown shapes read as absent.
    quality: scanQualitySchema.safeParse(row.quality).data as ScanQuality | undefined,
  };
}

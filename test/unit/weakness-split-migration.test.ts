import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../domain/finding';
import { fingerprint } from '../../domain/fingerprint';
import { suppresses } from '../../domain/triage';
import { splitWeaknesses } from '../../domain/weakness-split';
import { MIGRATIONS, migrate } from '../../store/migrations';
import { weaknessSplit } from '../../store/migrations/0006-weakness-split';
import { completeScan, recordScanStarted, storeScanFindings } from '../../store/scans';
import { recordTriageDecision, triageDecisions } from '../../store/triage';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { parseWapitiJson, realDemoReport, rootEntry, type WapitiReportJson } from '../support/wapiti-reports';

/**
 * Migration 0006 on real PostgreSQL: a store written under the old scheme (one finding per
 * rule and URL, triaged) is moved to one finding per weakness, and must then hold exactly
 * what splitWeaknesses gives for the same reports, with first-seen dates and triage kept.
 */
const ROOT = 'http://127.0.0.1:39553/';
const HEADERS = 'http-secure-headers';
const HTTPONLY = 'httponly-flag-cookie';
const CSP = 'content-security-policy-configuration';
const SCANS = [
  { id: 'dast:shop:1', at: new Date('2025-01-06T03:10:00.000Z') },
  { id: 'dast:shop:2', at: new Date('2025-01-13T03:10:00.000Z') },
  { id: 'dast:shop:3', at: new Date('2025-01-20T03:10:00.000Z') },
];

/** Week 1: the demo app as Wapiti saw it, with no CSP at all. */
function week1(): WapitiReportJson {
  const report = realDemoReport();
  report.vulnerabilities['Content Security Policy Configuration'] = [rootEntry('CSP is not set')];
  return report;
}

/** Week 2: a second cookie without flags, and a CSP that lacks script-src. */
function week2(): WapitiReportJson {
  const report = week1();
  report.vulnerabilities['HttpOnly Flag cookie']!.push(rootEntry('HttpOnly flag is not set in the cookie : cart'));
  report.vulnerabilities['Secure Flag cookie']!.push(rootEntry('Secure flag is not set in the cookie : cart'));
  report.vulnerabilities['Content Security Policy Configuration'] = [rootEntry('CSP attribute "script-src" is missing')];
  return report;
}

/** Week 3: X-Frame-Options fixed. */
function week3(): WapitiReportJson {
  const report = week2();
  report.vulnerabilities['HTTP Secure Headers'] = report.vulnerabilities['HTTP Secure Headers']!.filter((e) => e.info !== 'X-Frame-Options is not set');
  return report;
}

const only = (findings: Finding[], ruleId: string): Finding => {
  const matching = findings.filter((f) => f.ruleId === ruleId);
  expect(matching).toHaveLength(1);
  return matching[0]!;
};
const part = (ruleId: string, name: string) => fingerprint('wapiti', ruleId, ROOT, name);

interface FindingRow { fingerprint: string; parameter: string | null; status: string; first_seen_scan: string; first_seen_at: Date; last_seen_scan: string; last_seen_at: Date; not_retested_scan?: string | null }

describe('migration 0006: one finding per weakness', () => {
  let fresh: FreshDatabase;
  const reports = [week1(), week2(), week3()];
  let old: Finding[][];
  let combined: { headers: string; httpOnly: string; csp: string; xss: string };
  let before: FindingRow[];
  let decidedBefore: Date[];
  let migrated: Awaited<ReturnType<typeof migrate>>;

  beforeAll(async () => {
    fresh = await freshDatabase();
    const { db } = fresh;
    // The schema as it was before this migration, through the same ledger migrate() keeps.
    await db.query(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    for (const m of MIGRATIONS.filter((m) => m.version < weaknessSplit.version)) {
      await db.query(m.sql);
      await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }

    // Three weekly scans stored under the old scheme: the parser's findings, unsplit.
    old = await Promise.all(reports.map(parseWapitiJson));
    for (const [i, scan] of SCANS.entries()) {
      await recordScanStarted(db, { id: scan.id, targetId: 'shop', engine: 'wapiti', profile: 'baseline', startedAt: new Date(scan.at.getTime() - 60_000) });
      await storeScanFindings(db, scan.id, old[i]!);
      await completeScan(db, scan.id, { verdict: 'fail', counts: { info: 0, low: 0, medium: 0, high: 0, critical: 0 }, reportDir: '/tmp', finishedAt: scan.at });
    }
    // Another target at the same URL: same fingerprints, none of shop's decisions.
    await recordScanStarted(db, { id: 'dast:other:1', targetId: 'other', engine: 'wapiti', profile: 'baseline', startedAt: SCANS[0]!.at });
    await storeScanFindings(db, 'dast:other:1', old[0]!);
    await completeScan(db, 'dast:other:1', { verdict: 'fail', counts: { info: 0, low: 0, medium: 0, high: 0, critical: 0 }, reportDir: '/tmp', finishedAt: SCANS[0]!.at });

    // A target whose first scan's findings are no longer stored: its first-seen date is all that is left of it.
    for (const [i, scan] of SCANS.slice(0, 2).entries()) {
      const id = scan.id.replace('shop', 'pruned');
      await recordScanStarted(db, { id, targetId: 'pruned', engine: 'wapiti', profile: 'baseline', startedAt: scan.at });
      await storeScanFindings(db, id, old[i]!);
      await completeScan(db, id, { verdict: 'fail', counts: { info: 0, low: 0, medium: 0, high: 0, critical: 0 }, reportDir: '/tmp', finishedAt: scan.at });
    }
    await db.query(`DELETE FROM scan_findings WHERE scan_id = 'dast:pruned:1'`);

    const latest = old[2]!;
    combined = { headers: only(latest, HEADERS).fingerprint, httpOnly: only(latest, HTTPONLY).fingerprint, csp: only(latest, CSP).fingerprint, xss: only(latest, 'cross-site-scripting').fingerprint };
    await recordTriageDecision(db, { targetId: 'shop', fingerprint: combined.headers, kind: 'accepted-risk', reason: 'Headers come with the new proxy in Q2', expiresAt: '2099-06-30T00:00:00.000Z', decidedBy: 'cli:alice' });
    await recordTriageDecision(db, { targetId: 'shop', fingerprint: combined.headers, kind: 'ticket', ticketUrl: 'https://tracker.example/SEC-1', decidedBy: 'U0123ABCD' });
    await db.query(`UPDATE triage_decisions SET revoked_at = '2025-01-15T00:00:00Z' WHERE kind = 'ticket'`);
    await recordTriageDecision(db, { targetId: 'shop', fingerprint: combined.httpOnly, kind: 'false-positive', reason: 'The session cookie is read by our own script', decidedBy: 'U0123ABCD' });
    await recordTriageDecision(db, { targetId: 'shop', fingerprint: combined.xss, kind: 'ticket', ticketUrl: 'https://tracker.example/SEC-2', decidedBy: 'cli:bob' });

    before = (await db.query<FindingRow>(`SELECT * FROM findings WHERE target_id = 'shop'`)).rows;
    decidedBefore = (await db.query<{ decided_at: Date }>(`SELECT decided_at FROM triage_decisions WHERE fingerprint <> $1 ORDER BY id`, [combined.xss])).rows.map((r) => r.decided_at);
    migrated = await migrate(db);
  });
  afterAll(() => fresh?.drop());

  const rows = async (target = 'shop') => (await fresh.db.query<FindingRow>(`SELECT * FROM findings WHERE target_id = $1`, [target])).rows;
  const row = async (fp: string) => {
    const found = (await rows()).find((r) => r.fingerprint === fp);
    if (!found) throw new Error(`no finding ${fp}`);
    return found;
  };

  it('is the first migration pending on a store at version 5, the later ones after it', () => {
    expect(migrated.map((m) => m.version)).toEqual(MIGRATIONS.filter((m) => m.version >= weaknessSplit.version).map((m) => m.version));
    expect(migrated[0]).toBe(weaknessSplit);
  });

  it('stores each scan\'s findings exactly as splitWeaknesses gives them for the same report', async () => {
    for (const [i, scan] of SCANS.entries()) {
      const { rows: stored } = await fresh.db.query<{ fingerprint: string; finding: Finding }>('SELECT fingerprint, finding FROM scan_findings WHERE scan_id = $1', [scan.id]);
      const expected = splitWeaknesses(old[i]!);
      expect(stored.map((r) => r.fingerprint).sort(), scan.id).toEqual(expected.map((f) => f.fingerprint).sort());
      for (const r of stored) expect(r.finding, `${scan.id} ${r.fingerprint}`).toEqual(JSON.parse(JSON.stringify(expected.find((f) => f.fingerprint === r.fingerprint))));
    }
  });

  it('gives each weakness its own life: first seen kept from the combined finding, last seen and status from the scans that named it', async () => {
    const week1At = SCANS[0]!.at;
    const combinedHeaders = before.find((r) => r.fingerprint === combined.headers)!;
    expect(combinedHeaders.first_seen_at).toEqual(week1At);
    for (const header of ['Strict-Transport-Security', 'X-Content-Type-Options', 'X-XSS-Protection']) {
      expect(await row(part(HEADERS, header)), header).toMatchObject({ parameter: header, status: 'open', first_seen_scan: SCANS[0]!.id, first_seen_at: week1At, last_seen_scan: SCANS[2]!.id, last_seen_at: SCANS[2]!.at });
    }
    // Week 3 re-tested the headers and did not name this one: fixed, as a new scan would make it.
    expect(await row(part(HEADERS, 'X-Frame-Options'))).toMatchObject({ status: 'fixed', first_seen_at: week1At, last_seen_scan: SCANS[1]!.id, last_seen_at: SCANS[1]!.at });
    expect(await row(part(HTTPONLY, 'shop_session'))).toMatchObject({ status: 'open', first_seen_scan: SCANS[0]!.id, first_seen_at: week1At });
    // A cookie that appeared in week 2 was first seen in week 2, not when the combined finding was.
    expect(await row(part(HTTPONLY, 'cart'))).toMatchObject({ status: 'open', first_seen_scan: SCANS[1]!.id, first_seen_at: SCANS[1]!.at });
    // "CSP is not set" names nothing: it keeps the combined fingerprint, and week 2 replaced it.
    expect(await row(combined.csp)).toMatchObject({ parameter: null, status: 'fixed', first_seen_at: week1At, last_seen_scan: SCANS[0]!.id });
    expect(await row(part(CSP, 'script-src'))).toMatchObject({ status: 'open', first_seen_scan: SCANS[1]!.id, last_seen_scan: SCANS[2]!.id });
  });

  it('keeps the first-seen date when the scans that first saw a finding are no longer stored', async () => {
    for (const fp of [part(HEADERS, 'X-Frame-Options'), part(HTTPONLY, 'shop_session')]) {
      const { rows: [found] } = await fresh.db.query<FindingRow>(`SELECT * FROM findings WHERE target_id = 'pruned' AND fingerprint = $1`, [fp]);
      expect(found).toMatchObject({ first_seen_scan: 'dast:pruned:1', first_seen_at: SCANS[0]!.at, last_seen_scan: 'dast:pruned:2', status: 'open' });
    }
  });

  it('leaves no combined finding behind and every other finding as it was', async () => {
    const after = await rows();
    expect(after.map((r) => r.fingerprint)).not.toContain(combined.headers);
    expect(after.map((r) => r.fingerprint)).not.toContain(combined.httpOnly);
    const untouched = (list: FindingRow[]) => list.filter((r) => ![HEADERS, HTTPONLY, 'secure-flag-cookie', CSP].includes((r as unknown as { rule_id: string }).rule_id));
    expect(untouched(after).sort((a, b) => a.fingerprint.localeCompare(b.fingerprint))).toEqual(untouched(before).sort((a, b) => a.fingerprint.localeCompare(b.fingerprint)));
    // The open findings are what the latest scan saw, in the new scheme: the next scan's diff starts from there.
    const open = after.filter((r) => r.status === 'open').map((r) => r.fingerprint).sort();
    expect(open).toEqual(splitWeaknesses(old[2]!).map((f) => f.fingerprint).sort());
  });

  it('applies a triage decision on a combined finding to each of its new findings, revoked ones and dates included', async () => {
    const decisions = (await fresh.db.query<{ fingerprint: string; kind: string; reason: string | null; ticket_url: string | null; expires_at: Date | null; decided_by: string; decided_at: Date; revoked_at: Date | null }>(
      `SELECT fingerprint, kind, reason, ticket_url, expires_at, decided_by, decided_at, revoked_at FROM triage_decisions WHERE target_id = 'shop'`)).rows;
    const decidedAt = (fp: string, kind: string) => decisions.find((d) => d.fingerprint === fp && d.kind === kind)?.decided_at;
    const [riskAt, ticketAt, fpAt] = [decidedAt(part(HEADERS, 'X-Frame-Options'), 'accepted-risk'), decidedAt(part(HEADERS, 'X-Frame-Options'), 'ticket'), decidedAt(part(HTTPONLY, 'cart'), 'false-positive')];
    // As recorded before the migration (decided_at is the database's now() of each decision).
    expect([riskAt, ticketAt, fpAt]).toEqual(decidedBefore);
    const ofFingerprint = (fp: string) => decisions.filter((d) => d.fingerprint === fp).map(({ fingerprint: _, ...d }) => d).sort((a, b) => a.kind.localeCompare(b.kind));

    for (const header of ['Strict-Transport-Security', 'X-Content-Type-Options', 'X-Frame-Options', 'X-XSS-Protection']) {
      expect(ofFingerprint(part(HEADERS, header)), header).toEqual([
        { kind: 'accepted-risk', reason: 'Headers come with the new proxy in Q2', ticket_url: null, expires_at: new Date('2099-06-30T00:00:00.000Z'), decided_by: 'cli:alice', decided_at: riskAt, revoked_at: null },
        { kind: 'ticket', reason: null, ticket_url: 'https://tracker.example/SEC-1', expires_at: null, decided_by: 'U0123ABCD', decided_at: ticketAt, revoked_at: new Date('2025-01-15T00:00:00Z') },
      ]);
    }
    for (const cookie of ['cart', 'shop_session']) {
      expect(ofFingerprint(part(HTTPONLY, cookie)), cookie).toEqual([expect.objectContaining({ kind: 'false-positive', decided_by: 'U0123ABCD', decided_at: fpAt })]);
    }
    expect(ofFingerprint(combined.headers)).toEqual([]);
    expect(ofFingerprint(combined.httpOnly)).toEqual([]);
    expect(ofFingerprint(combined.xss)).toEqual([expect.objectContaining({ kind: 'ticket', ticket_url: 'https://tracker.example/SEC-2' })]);
    expect(ofFingerprint(part('secure-flag-cookie', 'shop_session'))).toEqual([]);
    expect(decisions).toHaveLength(4 * 2 + 2 + 1);
  });

  it('keeps the decisions in force: the accepted risk still hides every header, as the store reads it', async () => {
    const live = await triageDecisions(fresh.db, 'shop');
    for (const header of ['Strict-Transport-Security', 'X-Content-Type-Options', 'X-Frame-Options', 'X-XSS-Protection']) {
      expect(live.some((d) => d.fingerprint === part(HEADERS, header) && suppresses(d, new Date('2025-02-01T00:00:00Z'))), header).toBe(true);
    }
  });

  it('splits another target\'s findings without giving it this target\'s decisions', async () => {
    const split = (await fresh.db.query<{ parameter: string }>(`SELECT parameter FROM findings WHERE target_id = 'other' AND rule_id = ANY($1) AND parameter IS NOT NULL`, [[HEADERS, HTTPONLY, 'secure-flag-cookie']])).rows;
    expect(split.map((r) => r.parameter).sort()).toEqual(
      ['Strict-Transport-Security', 'X-Content-Type-Options', 'X-Frame-Options', 'X-XSS-Protection', 'shop_session', 'shop_session'],
    );
    expect(await triageDecisions(fresh.db, 'other')).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../domain/finding';
import { fingerprint } from '../../domain/fingerprint';
import { migrate } from '../../store/migrations';
import type { ScanQuality } from '../../domain/scan-report';
import { completeScan, firstSeenDates, getScan, lastCompletedScan, listTargetFindings, loadScanFindingSummaries, loadScanFindings, openFindingSummaries, recordScanStarted, storeScanFindings, failScan } from '../../store/scans';
import { recordTriageDecision, triageDecisions } from '../../store/triage';
import { freshDatabase, type FreshDatabase } from '../support/database';

function finding(ruleId: string, path: string): Finding {
  const url = `http://127.0.0.1:8088${path}`;
  return { fingerprint: fingerprint('wapiti', ruleId, url, undefined), engine: 'wapiti', ruleId, title: ruleId, severity: 'medium', confidence: 'medium', url, method: 'GET', references: [], instances: [{ url, method: 'GET' }] };
}
const counts = { info: 0, low: 0, medium: 1, high: 0, critical: 0 };
const a = finding('xss', '/search');
const b = finding('sql', '/product');

describe('DAST store on real PostgreSQL', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
  });
  afterAll(() => fresh?.drop());

  it('keeps scans, their findings and each finding life across two scans', async () => {
    const { db } = fresh;
    const first = { id: 'dast:demo:1', targetId: 'demo', engine: 'wapiti' as const, profile: 'baseline', startedAt: new Date('2026-11-16T03:00:00Z') };
    await recordScanStarted(db, first);
    await recordScanStarted(db, first); // a retried activity
    await storeScanFindings(db, first.id, [a, b]);
    await storeScanFindings(db, first.id, [a, b]); // ingest retried after a crash: still one copy
    expect((await loadScanFindings(db, first.id)).map((f) => f.ruleId).sort()).toEqual(['sql', 'xss']);
    const summaries = await loadScanFindingSummaries(db, first.id);
    expect(summaries.find((f) => f.ruleId === 'xss')).toEqual({ fingerprint: a.fingerprint, engine: 'wapiti', ruleId: 'xss', title: 'xss', severity: 'medium', confidence: 'medium', url: a.url, method: 'GET' });
    expect(await lastCompletedScan(db, 'demo', 'dast:demo:2')).toBeUndefined();
    await completeScan(db, first.id, { verdict: 'warn', counts, reportDir: '/tmp/r1', finishedAt: new Date('2026-11-16T03:05:00Z') });

    const second = { ...first, id: 'dast:demo:2', startedAt: new Date('2026-11-23T03:00:00Z') };
    await recordScanStarted(db, second);
    await storeScanFindings(db, second.id, [a]);
    expect((await lastCompletedScan(db, 'demo', second.id))?.id).toBe(first.id);
    await completeScan(db, second.id, { verdict: 'pass', counts, reportDir: '/tmp/r2', finishedAt: new Date('2026-11-23T03:05:00Z'), fixed: [b.fingerprint] });
    await completeScan(db, second.id, { verdict: 'fail', counts, reportDir: '/tmp/other', finishedAt: new Date() }); // no second effect

    expect(await getScan(db, second.id)).toMatchObject({ status: 'completed', verdict: 'pass', reportDir: '/tmp/r2', counts });
    const life = await listTargetFindings(db, 'demo');
    expect(life.map((f) => [f.ruleId, f.status, f.firstSeenAt.toISOString(), f.lastSeenAt.toISOString()])).toEqual([
      ['xss', 'open', '2026-11-16T03:05:00.000Z', '2026-11-23T03:05:00.000Z'],
      ['sql', 'fixed', '2026-11-16T03:05:00.000Z', '2026-11-16T03:05:00.000Z'],
    ]);
    expect((await firstSeenDates(db, 'demo')).get(a.fingerprint)).toBe('2026-11-16T03:05:00.000Z');
  });

  it('keeps a finding the next scan could not re-test open, first seen untouched, until a scan sees it or re-tests it', async () => {
    const { db } = fresh;
    const quality: ScanQuality = { targetAnswered: true, urlsCrawled: 3, requestsSent: 9, requestsFailed: 0, modulesRun: ['xss'], modulesFinished: ['xss'], durationSeconds: 2, source: 'test' };
    const scan = async (id: string, day: string, seen: Finding[], fixed: string[] = []) => {
      await recordScanStarted(db, { id, targetId: 'kept', engine: 'wapiti', profile: 'baseline', startedAt: new Date(`${day}T03:00:00Z`) });
      await storeScanFindings(db, id, seen);
      await completeScan(db, id, { verdict: 'warn', counts, reportDir: `/tmp/${id}`, finishedAt: new Date(`${day}T03:05:00Z`), fixed, coverage: { quality, reached: [], tested: {}, scanner: { image: 'w' } } });
    };
    await scan('dast:kept:1', '2026-11-02', [a, b]);
    await scan('dast:kept:2', '2026-11-09', [a]); // b: not re-tested
    const life = () => listTargetFindings(db, 'kept').then((all) => all.map((f) => [f.ruleId, f.status, f.notRetestedScan, f.firstSeenAt.toISOString().slice(0, 10), f.lastSeenAt.toISOString().slice(0, 10)]));
    expect(await life()).toEqual([['xss', 'open', undefined, '2026-11-02', '2026-11-09'], ['sql', 'open', 'dast:kept:2', '2026-11-02', '2026-11-02']]);
    expect(await getScan(db, 'dast:kept:2')).toMatchObject({ quality });
    // The next baseline still holds b, as the scan that last saw it stored it.
    expect((await openFindingSummaries(db, 'kept', 'dast:kept:3')).map((f) => f.ruleId).sort()).toEqual(['sql', 'xss']);
    await scan('dast:kept:3', '2026-11-16', [a, b]); // seen again: no longer marked
    const sql = async () => (await life()).find(([rule]) => rule === 'sql');
    expect(await sql()).toEqual(['sql', 'open', undefined, '2026-11-02', '2026-11-16']);
    await scan('dast:kept:4', '2026-11-23', [a], [b.fingerprint]); // re-tested and gone: fixed
    expect(await sql()).toEqual(['sql', 'fixed', undefined, '2026-11-02', '2026-11-16']);
    expect(await openFindingSummaries(db, 'kept', 'dast:kept:5')).toHaveLength(1);
  });

  it('records a failed scan, which never becomes a baseline', async () => {
    const { db } = fresh;
    await recordScanStarted(db, { id: 'dast:other:1', targetId: 'other', engine: 'zap', profile: 'baseline', startedAt: new Date() });
    await failScan(db, 'dast:other:1', 'report.json: truncated', new Date());
    expect(await getScan(db, 'dast:other:1')).toMatchObject({ status: 'failed', error: 'report.json: truncated' });
    expect((await getScan(db, 'dast:other:1'))?.quality).toBeUndefined();
    expect(await lastCompletedScan(db, 'other', 'x')).toBeUndefined();
  });

  it('stores triage decisions and refuses an accepted risk without expiry or reason', async () => {
    const { db } = fresh;
    await recordTriageDecision(db, { targetId: 'demo', fingerprint: a.fingerprint, kind: 'accepted-risk', reason: 'internal', expiresAt: '2027-01-01T00:00:00.000Z', decidedBy: 'U1' });
    await recordTriageDecision(db, { targetId: 'demo', fingerprint: b.fingerprint, kind: 'ticket', ticketUrl: 'https://tracker.example.test/SEC-9', decidedBy: 'U2' });
    await expect(recordTriageDecision(db, { targetId: 'demo', fingerprint: b.fingerprint, kind: 'accepted-risk', decidedBy: 'U3' })).rejects.toThrow(/check constraint/);
    expect((await triageDecisions(db, 'demo')).map((d) => [d.kind, d.decidedBy, d.expiresAt ?? d.ticketUrl])).toEqual([
      ['accepted-risk', 'U1', '2027-01-01T00:00:00.000Z'],
      ['ticket', 'U2', 'https://tracker.example.test/SEC-9'],
    ]);
  });
});

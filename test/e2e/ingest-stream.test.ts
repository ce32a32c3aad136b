import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestActivities } from '../../activities/findings/ingest-report';
import { locationFingerprint } from '../../domain/fingerprint';
import { migrate } from '../../store/migrations';
import { loadScanFindings, recordScanStarted } from '../../store/scans';
import { freshDatabase, type FreshDatabase } from '../support/database';

const SITE = 'http://127.0.0.1:8088';
/** More findings than one store batch (2,000), so the report's end arrives after rows were written. */
const FILLER = 2_500;

interface Alert { pluginid: string; alertRef: string; alert: string; riskcode: string; confidence: string; instances: { uri: unknown; method: string; param: string }[] }

function alert(plugin: string, ref: string, risk: string, path: string, title = `rule ${ref}`): Alert {
  return { pluginid: plugin, alertRef: ref, alert: title, riskcode: risk, confidence: '2', instances: [{ uri: `${SITE}${path}?q=${ref}`, method: 'GET', param: 'q' }] };
}

/** A ZAP report whose first and last alerts are variants of one rule at one place (one fingerprint), filler between them. */
function report(last: Alert): string {
  const alerts = [alert('10020', '10020-1', '1', '/frame', 'Missing anti-clickjacking header (low variant)')];
  for (let i = 0; i < FILLER; i++) alerts.push(alert(String(40_000 + i), String(40_000 + i), '2', `/page/p${i}`));
  alerts.push(last);
  return JSON.stringify({ '@version': '2.16.0', site: [{ '@name': SITE, '@host': '127.0.0.1', '@port': '8088', '@ssl': 'false', alerts }] });
}

describe('ingestReport streams a report into the store', () => {
  let fresh: FreshDatabase;
  let dir: string;
  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
    dir = mkdtempSync(join(tmpdir(), 'ingest-stream-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await fresh?.drop();
  });

  it('merges a fingerprint that comes again after a batch was written, and a bad report found at its end leaves the scan as it was', async () => {
    const ingest = createIngestActivities(() => fresh.db);
    const scanId = 'dast:stream:1';
    await recordScanStarted(fresh.db, { id: scanId, targetId: 'stream', engine: 'zap', profile: 'baseline', startedAt: new Date() });
    const good = join(dir, 'good.json');
    writeFileSync(good, report(alert('10020', '10020-2', '2', '/frame', 'Missing anti-clickjacking header (medium variant)')));

    expect(await ingest.ingestReport({ scanId, engine: 'zap', reportPath: good })).toEqual({ findings: FILLER + 1, instances: FILLER + 2 });
    const stored = await loadScanFindings(fresh.db, scanId);
    expect(stored).toHaveLength(FILLER + 1);
    const frame = stored.find((f) => f.fingerprint === locationFingerprint('zap', '10020', `${SITE}/frame`, 'q'));
    // One row: the more severe variant's words, both variants' instances.
    expect(frame).toMatchObject({ severity: 'medium', title: 'Missing anti-clickjacking header (medium variant)' });
    expect(frame?.instances.map((i) => i.url)).toEqual([`${SITE}/frame?q=10020-1`, `${SITE}/frame?q=10020-2`]);

    const retried = await ingest.ingestReport({ scanId, engine: 'zap', reportPath: good });
    expect(retried.findings).toBe(FILLER + 1);
    expect(await loadScanFindings(fresh.db, scanId)).toHaveLength(FILLER + 1);

    const bad = join(dir, 'bad.json');
    const broken = alert('10020', '10020-2', '2', '/frame');
    broken.instances[0]!.uri = 5;
    writeFileSync(bad, report(broken));
    const failure = await ingest.ingestReport({ scanId, engine: 'zap', reportPath: bad }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ type: 'MalformedReport', nonRetryable: true });
    expect((failure as Error).message).toContain(`site[0].alerts[${FILLER + 1}].instances[0].uri`);
    const after = await loadScanFindings(fresh.db, scanId);
    expect(after).toHaveLength(FILLER + 1);
    expect(after.find((f) => f.fingerprint === frame?.fingerprint)).toEqual(frame);
  });
});

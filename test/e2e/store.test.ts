import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent, listAuditEvents } from '../../store/audit-events';
import { openDatabase } from '../../store/database';
import { startEmbeddedServer } from '../../store/embedded-server';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaState } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';

describe('store on real PostgreSQL', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase();
  });
  afterAll(() => fresh?.drop());

  it('starts unmigrated, migrates once, and a second run has nothing to do', async () => {
    expect(await schemaState(fresh.db)).toEqual({ version: 0, pending: MIGRATIONS });
    expect((await migrate(fresh.db)).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(fresh.db)).toEqual([]);
    expect(await schemaState(fresh.db)).toEqual({ version: LATEST_SCHEMA_VERSION, pending: [] });
  });

  it('applies each migration exactly once when several workers start together', async () => {
    const other = await freshDatabase();
    const pools = [0, 1, 2].map(() => openDatabase(other.url));
    try {
      const applied = await Promise.all(pools.map((db) => migrate(db)));
      expect(applied.flat().map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
      const { rows } = await other.db.query('SELECT version FROM schema_migrations');
      expect(rows).toHaveLength(MIGRATIONS.length);
    } finally {
      await Promise.all(pools.map((db) => db.end()));
      await other.drop();
    }
  });

  it('appends audit events once per idempotency key and lists them in order', async () => {
    await migrate(fresh.db);
    const vote = { actor: 'slack:U123', action: 'approval.vote', subject: 'rotate:db', outcome: 'allowed' as const, details: { vote: 'approve' }, idempotencyKey: 'rotate:db/1/vote' };
    expect(await appendAuditEvent(fresh.db, vote)).toBe(true);
    expect(await appendAuditEvent(fresh.db, vote)).toBe(false);
    await appendAuditEvent(fresh.db, { actor: 'slack:U999', action: 'approval.vote', subject: 'rotate:db', outcome: 'refused', details: { reason: 'not an approver' } });
    await appendAuditEvent(fresh.db, { actor: 'system', action: 'other', subject: 'elsewhere', outcome: 'succeeded' });
    const events = await listAuditEvents(fresh.db, { subject: 'rotate:db' });
    expect(events.map((e) => [e.actor, e.outcome, e.details])).toEqual([
      ['slack:U123', 'allowed', { vote: 'approve' }],
      ['slack:U999', 'refused', { reason: 'not an approver' }],
    ]);
    expect(events[0]?.occurredAt).toBeInstanceOf(Date);
  });

  it('refuses to change or delete audit history', async () => {
    await migrate(fresh.db);
    await appendAuditEvent(fresh.db, { actor: 'cli:alice', action: 'x', subject: 'immutable', outcome: 'succeeded' });
    await expect(fresh.db.query(`UPDATE audit_events SET actor = 'mallory' WHERE subject = 'immutable'`)).rejects.toThrow(/append-only/);
    await expect(fresh.db.query(`DELETE FROM audit_events WHERE subject = 'immutable'`)).rejects.toThrow(/append-only/);
    await expect(fresh.db.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    const { rows } = await fresh.db.query(`SELECT actor FROM audit_events WHERE subject = 'immutable'`);
    expect(rows).toEqual([{ actor: 'cli:alice' }]);
  });

  it('rejects an event whose outcome is not one of the known ones, and writes nothing', async () => {
    await migrate(fresh.db);
    await expect(appendAuditEvent(fresh.db, { actor: 'a', action: 'b', subject: 'bad-outcome', outcome: 'maybe' as never })).rejects.toThrow(/check constraint/);
    expect(await listAuditEvents(fresh.db, { subject: 'bad-outcome' })).toEqual([]);
  });
});

describe('embedded store (PGlite) for secops dev', () => {
  it('runs the same migrations and queries, and keeps data across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secops-embedded-'));
    try {
      const first = await startEmbeddedServer(join(dir, 'store'));
      const db = openDatabase(first.url);
      expect((await migrate(db)).length).toBe(MIGRATIONS.length);
      await appendAuditEvent(db, { actor: 'cli:dev', action: 'test', subject: 'persist', outcome: 'succeeded' });
      await db.end();
      await first.stop();

      const second = await startEmbeddedServer(join(dir, 'store'));
      const again = openDatabase(second.url);
      expect(await schemaState(again)).toEqual({ version: LATEST_SCHEMA_VERSION, pending: [] });
      expect((await listAuditEvents(again, { subject: 'persist' })).map((e) => e.actor)).toEqual(['cli:dev']);
      await again.end();
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

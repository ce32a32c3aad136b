import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreChecks } from '../../activities/preflight/store';
import { LATEST_SCHEMA_VERSION, migrate } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';

/** `secops doctor`'s store check on real PostgreSQL: the schema, and alerts stuck in the outbox. */
describe('store check', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase();
  });
  afterAll(() => fresh?.drop());

  const check = () => createStoreChecks({ db: fresh.db, url: fresh.url }).checkStore();
  const queue = (ageSeconds: number, lastError: string | null) => fresh.db.query(
    `INSERT INTO alert_outbox (workflow_id, opens, input, delivery, received_at, last_error) VALUES ('incident-alert:x', true, '{}', '{}', now() - make_interval(secs => $1), $2)`,
    [ageSeconds, lastError],
  );

  it('fails with migrations pending, and is ok once migrated with nothing waiting', async () => {
    expect(await check()).toMatchObject({ status: 'failed', detail: expect.stringContaining('migration(s) pending') });
    await migrate(fresh.db);
    const ok = await check();
    expect(ok).toMatchObject({ status: 'ok', detail: expect.stringMatching(new RegExp(`^PostgreSQL .+ at .+, schema v${LATEST_SCHEMA_VERSION}$`)) });
    // The store's address is shown without its password.
    expect(ok.detail).not.toContain(new URL(fresh.url).password);
  });

  it('is ok while an alert was just taken in, and warns once one has waited over a minute, with the last error', async () => {
    await queue(2, null);
    expect((await check()).status).toBe('ok');
    await queue(300, null);
    expect(await check()).toMatchObject({ status: 'warn', detail: expect.stringContaining('1 alert group(s) not yet sent to their incidents, the oldest taken in 300 s ago; is secops http running?') });
    await queue(90, '14 UNAVAILABLE: No connection established');
    expect(await check()).toMatchObject({ status: 'warn', detail: expect.stringMatching(/2 alert group\(s\) not yet sent .* 300 s ago; last error: 14 UNAVAILABLE: No connection established$/) });
  });
});

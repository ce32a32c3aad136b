import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createIngestActivities } from '../../activities/findings/ingest-report';
import type { Database } from '../../store/database';

const REPORT = 'test/fixtures/zap/two-sites.json';

/** A store whose inserts fail with `error`, as pg throws it; every other statement succeeds. */
function storeFailingWith(error: Error & { code?: string }): { db: Database; statements: string[] } {
  const statements: string[] = [];
  const client = {
    async query(sql: string) {
      statements.push(sql.trim().split(/\s+/)[0]!);
      if (sql.trim().startsWith('INSERT')) throw error;
      return { rows: [] };
    },
    release() {},
  };
  return { db: { connect: async () => client } as unknown as Database, statements };
}

const pgError = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('ingestReport: what the store refuses', () => {
  it('fails non-retryably when PostgreSQL refuses the data itself (SQLSTATE class 22 or 54), naming the report', async () => {
    for (const code of ['22P05', '22021', '54000']) {
      const { db, statements } = storeFailingWith(pgError('unsupported Unicode escape sequence', code));
      const failure = await createIngestActivities(() => db).ingestReport({ scanId: 'dast:shop:1', engine: 'zap', reportPath: REPORT }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'UnstorableReport', nonRetryable: true, message: `${REPORT}: the store refused its findings (unsupported Unicode escape sequence)` });
      // The transaction is rolled back: the scan keeps the findings it had.
      expect(statements).toEqual(['BEGIN', 'DELETE', 'SELECT', 'INSERT', 'ROLLBACK']);
    }
  });

  it('leaves a store that is down to the retry policy', async () => {
    for (const error of [pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), pgError('terminating connection due to administrator command', '57P01'), new Error('Connection terminated unexpectedly')]) {
      const { db } = storeFailingWith(error);
      const failure = await createIngestActivities(() => db).ingestReport({ scanId: 'dast:shop:1', engine: 'zap', reportPath: REPORT }).catch((e: unknown) => e);
      expect(failure).toBe(error);
    }
  });

  it('refuses a report over the cap it was created with, non-retryably, before the store is asked', async () => {
    const { db, statements } = storeFailingWith(new Error('never reached'));
    const failure = await createIngestActivities(() => db, 1024).ingestReport({ scanId: 'dast:shop:1', engine: 'zap', reportPath: REPORT }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ type: 'ReportTooLarge', nonRetryable: true });
    expect((failure as Error).message).toMatch(/two-sites\.json: the report is [\d.]+ KiB, over the cap of 1 KiB \(SECOPS_MAX_REPORT_MB\)/);
    expect(statements).toEqual([]);
  });
});

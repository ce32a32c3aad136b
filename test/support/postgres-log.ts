import { existsSync, openSync, readFileSync, readSync, closeSync, statSync } from 'node:fs';
import { projectPath } from '../../processes/tool-paths';

/**
 * The test cluster's server log, where `scripts/setup.sh --test` makes PostgreSQL write every
 * statement of the test role (`log_statement = all`). Fails with the reason when unknown.
 */
export function testPostgresLogPath(): string {
  if (process.env.SECOPS_TEST_POSTGRES_LOG) return process.env.SECOPS_TEST_POSTGRES_LOG;
  const file = projectPath('.secops', 'test.env');
  const line = existsSync(file) ? readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('SECOPS_TEST_POSTGRES_LOG=')) : undefined;
  if (!line) throw new Error('the test PostgreSQL log is unknown: run `bash scripts/setup.sh --test` (it records it in .secops/test.env) or set SECOPS_TEST_POSTGRES_LOG');
  return line.slice('SECOPS_TEST_POSTGRES_LOG='.length);
}

/** A read position in the log: `since()` returns what the server wrote after it was taken. */
export function markPostgresLog(path = testPostgresLogPath()): { since(): string } {
  const start = statSync(path).size;
  return {
    since() {
      const length = statSync(path).size - start;
      const buffer = Buffer.alloc(Math.max(length, 0));
      const fd = openSync(path, 'r');
      try {
        readSync(fd, buffer, 0, buffer.length, start);
      } finally {
        closeSync(fd);
      }
      return buffer.toString('utf8');
    },
  };
}

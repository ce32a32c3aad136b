import { inspect } from 'node:util';
import { afterEach } from 'vitest';
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';

/** Every SDK log entry of this test process (workers, activities), for leak checks. */
export const capturedLogs: LogEntry[] = [];

const SHOWN_LEVELS: ReadonlySet<LogLevel> = new Set(['INFO', 'WARN', 'ERROR']);

// Each test file runs in its own process (pool: forks): install the SDK runtime once, before any
// worker. Everything is captured. INFO and above goes to the console, Core's native log included
// (forwarded here rather than written straight to stderr, where vitest could not tell whose it
// is): vitest shows it for failed tests only (silent: 'passed-only') and test-log-reporter.ts
// writes all of it to the run's log file.
Runtime.install({
  logger: new DefaultLogger('TRACE', (entry) => {
    capturedLogs.push(entry);
    if (SHOWN_LEVELS.has(entry.level)) console.warn(`[${entry.level}] ${entry.message} ${inspect(entry.meta ?? {}, { breakLength: Infinity })}`);
  }),
  telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } },
});

// The runtime holds entries ~100 ms to order them: hand them over while the test that caused
// them is still the current one, so they are shown (or not) with it.
afterEach(() => Runtime.instance().flushLogs());

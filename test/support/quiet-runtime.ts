import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

/** Every SDK log entry of this test process (workers, activities), for leak checks. */
export const capturedLogs: LogEntry[] = [];

// Each test file runs in its own process (pool: forks): install the SDK runtime once,
// before any worker. Everything is captured; warnings and errors are also printed.
Runtime.install({
  logger: new DefaultLogger('TRACE', (entry) => {
    capturedLogs.push(entry);
    if (entry.level === 'WARN' || entry.level === 'ERROR') console.warn(`[${entry.level}] ${entry.message}`, entry.meta ?? '');
  }),
});

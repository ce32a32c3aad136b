import { DefaultLogger, Runtime } from '@temporalio/worker';

// Each test file runs in its own process (pool: forks): install the SDK runtime once,
// before any worker, with warnings and errors only.
Runtime.install({ logger: new DefaultLogger('WARN') });

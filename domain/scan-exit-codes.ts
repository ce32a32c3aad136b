import type { Verdict } from './scan-report';

/**
 * ZAP's packaged-scan exit codes (zaproxy.org/docs/docker/), one table for both readers: the
 * ZAP activity learns from them whether a report exists (0-2 say what it holds, only 3 means
 * none), and `secops scan` exits with the same codes so a pipeline gates on either alike.
 */
export const SCAN_EXIT_CODES = { pass: 0, fail: 1, warn: 2, error: 3 } as const satisfies Record<Verdict | 'error', number>;

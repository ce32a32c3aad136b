/** Action kinds that approval policies are keyed by (config `approvals`). */
export const ACTIVE_SCAN_ACTION = 'dast.active-scan';

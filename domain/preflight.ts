/** The preflight report: one row per thing the platform needs, each with a reason. */
export type CheckStatus = 'ok' | 'warn' | 'failed';

export interface CheckResult {
  check: string;
  status: CheckStatus;
  detail: string;
}

export interface PreflightReport {
  checks: CheckResult[];
  status: CheckStatus;
}

const SEVERITY: Record<CheckStatus, number> = { ok: 0, warn: 1, failed: 2 };

/** The report is as bad as its worst check. */
export function summarize(checks: CheckResult[]): PreflightReport {
  const status = checks.reduce<CheckStatus>((worst, c) => (SEVERITY[c.status] > SEVERITY[worst] ? c.status : worst), 'ok');
  return { checks, status };
}

import type { PreflightReport } from '../domain/preflight';
import { renderTable } from '../render/terminal/table';

export function formatReport(report: PreflightReport): string {
  const mark = { ok: 'ok', warn: 'WARN', failed: 'FAILED' };
  return renderTable(['check', 'status', 'detail'], report.checks.map((c) => [c.check, mark[c.status], c.detail]));
}

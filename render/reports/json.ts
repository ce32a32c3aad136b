import type { ScanReport } from '../../domain/scan-report';

/**
 * The ScanReport as the record of a scan: keys sorted at every depth so two renders of
 * the same scan are byte-identical and diff cleanly; array order is the model's own.
 */
export function renderJson(report: ScanReport): string {
  return `${JSON.stringify(report, sortedKeys, 2)}\n`;
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

import type { StoredFinding } from '../client/target-findings';
import { renderTable } from '../render/terminal/table';

/** A target's findings as `secops findings list` prints them. */
export function findingsTable(targetId: string, findings: StoredFinding[]): string {
  if (findings.length === 0) return `no findings for target ${targetId}`;
  return renderTable(
    ['status', 'severity', 'finding', 'location', 'first seen', 'last seen', 'fingerprint'],
    findings.map((f) => [f.status, f.severity, f.title, f.url + (f.parameter ? ` [${f.parameter}]` : ''), day(f.firstSeenAt), day(f.lastSeenAt), f.fingerprint.slice(0, 12)]),
  );
}

function day(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

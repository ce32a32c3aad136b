import type { Database } from '../store/database';
import { lastCompletedScan, type ScanRecord } from '../store/scans';

export type { ScanRecord };

/** The target's latest completed scan (its verdict, what it covered), or undefined before the first. */
export function latestCompletedScan(db: Database, targetId: string): Promise<ScanRecord | undefined> {
  return lastCompletedScan(db, targetId, '');
}

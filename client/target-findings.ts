import type { Database } from '../store/database';
import { listTargetFindings, type StoredFinding } from '../store/scans';

export type { StoredFinding };

/** Every finding the target ever had, open first, with first/last seen. */
export function targetFindings(db: Database, targetId: string): Promise<StoredFinding[]> {
  return listTargetFindings(db, targetId);
}

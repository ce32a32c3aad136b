import type { Database } from '../store/database';
import { listTargetFindings, type StoredFinding } from '../store/scans';

export type { StoredFinding };

/** Every finding the target ever had, open first, with first/last seen. */
export function targetFindings(db: Database, targetId: string): Promise<StoredFinding[]> {
  return listTargetFindings(db, targetId);
}

/**
 * The target's findings whose fingerprint is `fingerprint` or starts with it: `findings list`
 * shows the first 12 characters, which is what a person copies.
 */
export async function findingsByFingerprint(db: Database, targetId: string, fingerprint: string): Promise<StoredFinding[]> {
  return (await listTargetFindings(db, targetId)).filter((finding) => finding.fingerprint.startsWith(fingerprint));
}

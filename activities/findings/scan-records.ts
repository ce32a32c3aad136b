import type { Engine } from '../../domain/finding';
import type { Database } from '../../store/database';
import { failScan, recordScanStarted } from '../../store/scans';

export function createScanRecordActivities(db: () => Database) {
  return {
    /** The scan exists in the store from its first step, so a failure is recorded too. */
    async recordScanStarted(scan: { scanId: string; targetId: string; engine: Engine; profile: string; startedAt: string }): Promise<void> {
      await recordScanStarted(db(), { id: scan.scanId, targetId: scan.targetId, engine: scan.engine, profile: scan.profile, startedAt: new Date(scan.startedAt) });
    },

    async recordScanFailed(scan: { scanId: string; error: string }): Promise<void> {
      await failScan(db(), scan.scanId, scan.error, new Date());
    },
  };
}

import type { Engine } from '../../domain/finding';
import type { Database } from '../../store/database';
import { failScan, recordScanStarted } from '../../store/scans';
import { loadCoverage } from './compare-scan';

export function createScanRecordActivities(db: () => Database) {
  return {
    /** The scan exists in the store from its first step, so a failure is recorded too. */
    async recordScanStarted(scan: { scanId: string; targetId: string; engine: Engine; profile: string; startedAt: string }): Promise<void> {
      await recordScanStarted(db(), { id: scan.scanId, targetId: scan.targetId, engine: scan.engine, profile: scan.profile, startedAt: new Date(scan.startedAt) });
    },

    /**
     * Records the failure, with what the scan covered when the scanner got that far. No
     * finding changes: a failed scan proves nothing about any of them. The failure is what
     * must be recorded, so an unreadable coverage record is left out rather than failing it.
     */
    async recordScanFailed(scan: { scanId: string; error: string; coveragePath?: string }): Promise<void> {
      const coverage = await loadCoverage(scan.coveragePath).catch(() => undefined);
      await failScan(db(), scan.scanId, scan.error, new Date(), coverage?.quality);
    },
  };
}

import { retestOutcome, type RetestOutcome } from '../../domain/finding-retest';
import { readScanReport } from '../../store/scan-report-file';

/** The re-test's verdict on one finding, read from the scan's report on disk (workflows carry paths, not reports). */
export function createRetestActivities() {
  return {
    async findingRetestOutcome(input: { scanReportPath: string; fingerprint: string }): Promise<RetestOutcome> {
      return retestOutcome(await readScanReport(input.scanReportPath), input.fingerprint);
    },
  };
}

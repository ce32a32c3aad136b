import type { IncidentOn } from '../../domain/finding';
import { incidentWorthyFindings, type IncidentWorthyFinding } from '../../domain/finding-incident';
import { readScanReport } from '../../store/scan-report-file';

/** The new findings of a scan that open incidents, read from its report on disk (workflows carry paths, not reports). */
export function createIncidentWorthyActivities() {
  return {
    async incidentWorthyFindings(input: { scanReportPath: string; atLeast: IncidentOn }): Promise<{ findings: IncidentWorthyFinding[]; more: number }> {
      return incidentWorthyFindings(await readScanReport(input.scanReportPath), input.atLeast);
    },
  };
}

import { ApplicationFailure } from '@temporalio/activity';
import type { Engine, Finding } from '../../domain/finding';
import type { Database } from '../../store/database';
import { storeScanFindings } from '../../store/scans';
import { ReportParseError } from './report-parse-error';
import { parseWapitiReportFile } from './wapiti-report';
import { parseZapReportFile } from './zap-report';

const PARSERS: Record<Engine, (path: string) => Promise<Finding[]>> = { zap: parseZapReportFile, wapiti: parseWapitiReportFile };

export interface IngestResult {
  findings: number;
  instances: number;
}

export function createIngestActivities(db: () => Database) {
  return {
    /**
     * Parses the scanner's report into findings and stores them under the scan. Idempotent
     * (a retry rewrites the same rows). A malformed report will not parse on a retry
     * either: it fails at once, naming the file and the problem.
     */
    async ingestReport(input: { scanId: string; engine: Engine; reportPath: string }): Promise<IngestResult> {
      let findings: Finding[];
      try {
        findings = await PARSERS[input.engine](input.reportPath);
      } catch (error) {
        if (error instanceof ReportParseError) throw ApplicationFailure.nonRetryable(error.message, 'MalformedReport');
        throw error;
      }
      await storeScanFindings(db(), input.scanId, findings);
      return { findings: findings.length, instances: findings.reduce((sum, f) => sum + f.instances.length, 0) };
    },
  };
}

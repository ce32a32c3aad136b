import { ApplicationFailure } from '@temporalio/activity';
import { maxReportBytes } from '../../domain/environment';
import type { Engine, Finding } from '../../domain/finding';
import type { Database } from '../../store/database';
import { storeScanFindings } from '../../store/scans';
import { ReportParseError } from './report-parse-error';
import { parseWapitiReportFile } from './wapiti-report';
import { parseZapReportFile } from './zap-report';

const PARSERS: Record<Engine, (path: string, maxBytes: number) => Promise<Finding[]>> = { zap: parseZapReportFile, wapiti: parseWapitiReportFile };

export interface IngestResult {
  findings: number;
  instances: number;
}

/** `maxBytes`: the report size cap, SECOPS_MAX_REPORT_MB by default. */
export function createIngestActivities(db: () => Database, maxBytes = maxReportBytes(process.env)) {
  return {
    /**
     * Parses the scanner's report into findings and stores them under the scan. Idempotent
     * (a retry rewrites the same rows). A malformed, oversized or unstorable report will not
     * do better on a retry: it fails at once, naming the file and the problem.
     */
    async ingestReport(input: { scanId: string; engine: Engine; reportPath: string }): Promise<IngestResult> {
      let findings: Finding[];
      try {
        findings = await PARSERS[input.engine](input.reportPath, maxBytes);
      } catch (error) {
        if (error instanceof ReportParseError) throw ApplicationFailure.nonRetryable(error.message, error.kind);
        throw error;
      }
      try {
        await storeScanFindings(db(), input.scanId, findings);
      } catch (error) {
        if (!refusedData(error)) throw error;
        throw ApplicationFailure.nonRetryable(`${input.reportPath}: the store refused its findings (${(error as Error).message})`, 'UnstorableReport');
      }
      return { findings: findings.length, instances: findings.reduce((sum, f) => sum + f.instances.length, 0) };
    },
  };
}

/**
 * PostgreSQL refused the data itself (SQLSTATE class 22, data exception, e.g. a character
 * jsonb cannot hold; class 54, a value over a program limit), not the connection: the same
 * rows would be refused on every retry. The parsers bound every text (domain/bounded-text.ts),
 * so this is the backstop for what they do not foresee.
 */
function refusedData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(code);
}

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { modulesReporting, type ScanCoverage } from '../../domain/coverage';
import { maxReportBytes } from '../../domain/environment';
import type { Engine, Finding } from '../../domain/finding';
import { normalizeLocation } from '../../domain/fingerprint';
import { splitWeaknesses } from '../../domain/weakness-split';
import type { Database } from '../../store/database';
import { loadScanFindings, storeScanFindings } from '../../store/scans';
import { SCAN_COVERAGE_FILE } from '../scanners/run-scanner';
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
        findings = splitWeaknesses(await PARSERS[input.engine](input.reportPath, maxBytes));
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

    /**
     * Reads a report produced elsewhere (an import) without storing anything: a report that
     * would be refused is refused before the import records a scan or writes a file.
     */
    async checkReport(input: { engine: Engine; reportPath: string }): Promise<IngestResult> {
      try {
        const findings = await PARSERS[input.engine](input.reportPath, maxBytes);
        return { findings: findings.length, instances: findings.reduce((sum, f) => sum + f.instances.length, 0) };
      } catch (error) {
        if (error instanceof ReportParseError) throw ApplicationFailure.nonRetryable(error.message, error.kind);
        throw error;
      }
    },

    /**
     * What an imported report shows it covered, written where a scanner worker writes a scan's
     * coverage (run-scanner.ts): the report alone, no scanner log, says only which rules raised
     * something and at which URLs. So a finding it does not list is fixed only where one of
     * its rules reported elsewhere and its URL shows up; otherwise it stays open, not re-tested.
     */
    async recordImportedCoverage(input: { scanId: string; engine: Engine; reportDir: string; reportPath: string }): Promise<string> {
      const coverage = importedCoverage(await loadScanFindings(db(), input.scanId), input.engine, input.reportPath);
      await mkdir(input.reportDir, { recursive: true });
      const path = join(input.reportDir, SCAN_COVERAGE_FILE);
      await writeFile(path, JSON.stringify(coverage));
      return path;
    },
  };
}

/** The coverage a report's findings prove: rules that reported (each known to be its finding's only one), URLs they reported at. */
export function importedCoverage(findings: Finding[], engine: Engine, reportPath: string): ScanCoverage {
  const reached = new Set<string>();
  const modules = new Set<string>();
  for (const finding of findings) {
    reached.add(normalizeLocation(finding.url));
    for (const instance of finding.instances) reached.add(normalizeLocation(instance.url));
    // A category several modules report (Wapiti's XSS: xss or permanentxss) proves none of them ran.
    const reporting = modulesReporting(finding);
    if (reporting?.length === 1) modules.add(reporting[0] as string);
  }
  const modulesRun = [...modules].sort();
  return {
    quality: {
      targetAnswered: reached.size > 0,
      urlsCrawled: reached.size,
      requestsSent: 0,
      requestsFailed: 0,
      modulesRun,
      modulesFinished: modulesRun,
      durationSeconds: 0,
      source: `imported ${engine === 'zap' ? 'ZAP' : 'Wapiti'} report ${reportPath} (its findings only: no crawl or module log)`,
    },
    reached: [...reached],
    tested: {},
    scanner: { image: `imported ${engine} report` },
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

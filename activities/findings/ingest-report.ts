import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { modulesReporting, type ScanCoverage } from '../../domain/coverage';
import { maxReportBytes } from '../../domain/environment';
import type { Engine, Finding } from '../../domain/finding';
import { normalizeLocation } from '../../domain/fingerprint';
import type { Database } from '../../store/database';
import { loadScanFindings, storeScanFindingStream } from '../../store/scans';
import { SCAN_COVERAGE_FILE } from '../scanners/run-scanner';
import { mergeFindingPart, streamReportFindings } from './report-findings';
import { checkReportSize, ReportParseError } from './report-parse-error';

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
      try {
        await checkReportSize(input.reportPath, maxBytes);
        // Streamed into the store batch by batch, in one transaction: a report found bad
        // halfway leaves nothing stored.
        return await storeScanFindingStream(db(), input.scanId, mergeFindingPart, (sink) => streamReportFindings(input.engine, input.reportPath, maxBytes, (finding) => sink.add(finding), () => sink.drain()));
      } catch (error) {
        if (error instanceof ReportParseError) throw ApplicationFailure.nonRetryable(error.message, error.kind);
        if (!refusedData(error)) throw error;
        throw ApplicationFailure.nonRetryable(`${input.reportPath}: the store refused its findings (${(error as Error).message})`, 'UnstorableReport');
      }
    },

    /**
     * Reads a report produced elsewhere (an import) without storing anything: a report that
     * would be refused is refused before the import records a scan or writes a file, and so
     * is one about another site: were it taken in, none of the target's findings could be
     * re-tested and the target's record would fill with another site's. Keeps only the
     * fingerprints, to count findings as the store will.
     */
    async checkReport(input: { engine: Engine; reportPath: string; targetUrl?: string }): Promise<IngestResult> {
      const fingerprints = new Set<string>();
      const origins = new Set<string>();
      let instances = 0;
      try {
        await streamReportFindings(input.engine, input.reportPath, maxBytes, (finding) => {
          fingerprints.add(finding.fingerprint);
          origins.add(originOf(finding.url));
          instances += finding.instances.length;
        }, async () => undefined);
      } catch (error) {
        if (error instanceof ReportParseError) throw ApplicationFailure.nonRetryable(error.message, error.kind);
        throw error;
      }
      const target = input.targetUrl && originOf(input.targetUrl);
      if (target && origins.size > 0 && !origins.has(target)) {
        const listed = [...origins].sort();
        throw ApplicationFailure.nonRetryable(`${input.reportPath}: no finding of this report is at ${target}, the target's site; it reports on ${listed.slice(0, 3).join(', ')}${listed.length > 3 ? ` and ${listed.length - 3} more` : ''}`, 'ReportNotForTarget');
      }
      return { findings: fingerprints.size, instances };
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

/** `https://Shop.example:443/a` → `https://shop.example`; a location that is no URL stands for itself. */
function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : url;
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

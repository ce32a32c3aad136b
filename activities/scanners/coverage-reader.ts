import type { ScanCoverage } from '../../domain/coverage';

/** What a scanner's output says it covered (wapiti-coverage.ts, zap-coverage.ts). */
export interface LogCoverage {
  /** The scanner's own version, when its output names it. */
  version?: string;
  targetAnswered: boolean;
  urlsCrawled: number;
  /** Normalized locations (fingerprint.ts) the crawl reached. */
  reached: string[];
  requestsSent: number;
  requestsFailed: number;
  modulesRun: string[];
  modulesFinished: string[];
  /** Module → normalized locations it says it attacked, for modules that say so. */
  tested: Record<string, string[]>;
}

/**
 * Reads a scanner's output line by line as the container streams it, keeping only the
 * figures and the sets of locations: a long scan's log is never held in memory.
 */
export interface CoverageReader {
  line(text: string): void;
  result(): LogCoverage;
}

/** The coverage record of a run: what the output said, with the image used and the run's duration. */
export function scanCoverage(log: LogCoverage, run: { image: string; durationMs: number; source: string }): ScanCoverage {
  return {
    quality: {
      targetAnswered: log.targetAnswered,
      urlsCrawled: log.urlsCrawled,
      requestsSent: log.requestsSent,
      requestsFailed: log.requestsFailed,
      modulesRun: log.modulesRun,
      modulesFinished: log.modulesFinished,
      durationSeconds: Math.round(run.durationMs / 100) / 10,
      source: run.source,
    },
    reached: log.reached,
    tested: log.tested,
    scanner: { image: run.image, ...(log.version && { version: log.version }) },
  };
}

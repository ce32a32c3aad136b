import { readFile, stat } from 'node:fs/promises';
import type { z } from 'zod';
import { DEFAULT_MAX_REPORT_MB } from '../../domain/environment';
import { formatProblem, problemsFromZod } from '../../domain/validation-error';

const MIB = 1024 * 1024;

/**
 * A scanner report that cannot be turned into findings. Retrying cannot fix a bad file,
 * so the activity layer fails non-retryably on it, with `kind` as the failure type; the
 * message names file and place.
 */
export class ReportParseError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly kind: 'MalformedReport' | 'ReportTooLarge' = 'MalformedReport',
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ReportParseError';
  }
}

export const DEFAULT_MAX_REPORT_BYTES = DEFAULT_MAX_REPORT_MB * MIB;

/**
 * The report's text. A missing or unreadable report is as fatal as a malformed one; one
 * over `maxBytes` (SECOPS_MAX_REPORT_MB) is refused from its size, before a byte is read:
 * reading it whole could take the worker's memory, and every retry would again.
 */
export async function readReportText(path: string, maxBytes = DEFAULT_MAX_REPORT_BYTES): Promise<string> {
  try {
    const { size } = await stat(path);
    if (size > maxBytes) {
      throw new ReportParseError(path, `the report is ${sizeOf(size)}, over the cap of ${sizeOf(maxBytes)} (SECOPS_MAX_REPORT_MB); raise it if reports this large are expected`, 'ReportTooLarge');
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof ReportParseError) throw error;
    throw new ReportParseError(path, `cannot read the report (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** `268435456` → `256 MiB`, `1536` → `1.5 KiB`. */
function sizeOf(bytes: number): string {
  const [unit, name] = bytes >= MIB ? [MIB, 'MiB'] : bytes >= 1024 ? [1024, 'KiB'] : [1, 'bytes'];
  const amount = bytes / unit;
  return `${Number.isInteger(amount) ? amount : amount.toFixed(1)} ${name}`;
}

/** JSON.parse, with a scanner killed mid-write (truncated file) reported by position. */
export function parseReportJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1] ?? (/end of JSON input/.test(message) ? String(text.length) : undefined);
    throw new ReportParseError(file, position === undefined ? `malformed JSON: ${message}` : `truncated or malformed JSON at position ${position}`);
  }
}

/** The first zod problem is enough to reject a machine-written file; the count says how bad it is. */
export function reportShapeError(file: string, format: string, error: z.ZodError): ReportParseError {
  const problems = problemsFromZod(error);
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new ReportParseError(file, `not a ${format}: ${problems.map(formatProblem)[0] ?? 'invalid'}${more}`);
}

import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { formatProblem, problemsFromZod } from '../../domain/validation-error';

/**
 * A scanner report that cannot be turned into findings. Retrying cannot fix a bad file,
 * so the activity layer fails non-retryably on it; the message names file and place.
 */
export class ReportParseError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ReportParseError';
  }
}

/** A missing or unreadable report is as fatal as a malformed one. */
export async function readReportText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ReportParseError(path, `cannot read the report (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
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

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { z } from 'zod';
import { DEFAULT_MAX_REPORT_MB } from '../../domain/environment';
import { formatPath, formatProblem, type InputProblem } from '../../domain/validation-error';
import { JsonSyntaxError, type JsonPath, type JsonStream } from './json-stream';

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
 * Reads the report at `path` into `stream` chunk by chunk: the report is never held whole,
 * so memory follows what the parser keeps, not the size of the file. A missing or unreadable
 * report is as fatal as a malformed one; one over `maxBytes` (SECOPS_MAX_REPORT_MB) is refused
 * from its size before a byte is read, and so is one that grows past it while being read.
 * `afterChunk` runs between chunks: where what the chunk produced is written away (the store).
 */
export async function readReportStream(path: string, maxBytes: number, stream: JsonStream, afterChunk?: () => Promise<void>): Promise<void> {
  await checkReportSize(path, maxBytes);
  let read = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
      read += chunk.length;
      if (read > maxBytes) throw tooLarge(path, read, maxBytes);
      stream.write(chunk);
      if (afterChunk) await afterChunk();
    }
  } catch (error) {
    if (error instanceof ReportParseError) throw error;
    if (error instanceof JsonSyntaxError) throw new ReportParseError(path, error.message);
    if ((error as NodeJS.ErrnoException).code !== undefined) throw unreadable(path, error);
    throw error;
  }
  parseEnd(path, stream);
}

/** Refuses a missing or unreadable report, or one over `maxBytes`, from its size alone: before anything else is asked. */
export async function checkReportSize(path: string, maxBytes: number): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw unreadable(path, error);
  }
  if (size > maxBytes) throw tooLarge(path, size, maxBytes);
}

/** The same for a report already in memory (tests, small inputs). */
export function readReportText(text: string, file: string, stream: JsonStream): void {
  try {
    stream.write(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new ReportParseError(file, error.message);
    throw error;
  }
  parseEnd(file, stream);
}

function parseEnd(file: string, stream: JsonStream): void {
  try {
    stream.end();
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new ReportParseError(file, error.message);
    throw error;
  }
}

const CHUNK_BYTES = 256 * 1024;

function unreadable(path: string, error: unknown): ReportParseError {
  return new ReportParseError(path, `cannot read the report (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
}

function tooLarge(path: string, size: number, maxBytes: number): ReportParseError {
  return new ReportParseError(path, `the report is ${sizeOf(size)}, over the cap of ${sizeOf(maxBytes)} (SECOPS_MAX_REPORT_MB); raise it if reports this large are expected`, 'ReportTooLarge');
}

/** `268435456` → `256 MiB`, `1536` → `1.5 KiB`. */
function sizeOf(bytes: number): string {
  const [unit, name] = bytes >= MIB ? [MIB, 'MiB'] : bytes >= 1024 ? [1024, 'KiB'] : [1, 'bytes'];
  const amount = bytes / unit;
  return `${Number.isInteger(amount) ? amount : amount.toFixed(1)} ${name}`;
}

/**
 * The problems of a report that parsed as JSON but is not of its format, kept as the
 * first one and a count: a report can have a million bad instances, and one named place
 * is enough to reject a machine-written file.
 */
export class ReportProblems {
  private first: InputProblem | undefined;
  private count = 0;

  constructor(
    private readonly file: string,
    private readonly format: string,
  ) {}

  get any(): boolean {
    return this.count > 0;
  }

  add(path: JsonPath, message: string): void {
    this.first ??= { path: formatPath(path), message };
    this.count += 1;
  }

  /** Checks `value` against `schema`, its problems located under `path`; the parsed value when it passes. */
  check<S extends z.ZodType>(schema: S, value: unknown, path: JsonPath): z.infer<S> | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) this.add([...path, ...(issue.path as (string | number)[])], issue.message);
    return undefined;
  }

  /** Throws the rejection when there was a problem. */
  throwIfAny(): void {
    if (!this.first) return;
    const more = this.count > 1 ? ` (and ${this.count - 1} more problem${this.count > 2 ? 's' : ''})` : '';
    throw new ReportParseError(this.file, `not a ${this.format}: ${formatProblem(this.first)}${more}`);
  }
}

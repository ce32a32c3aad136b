import { CommanderError } from 'commander';
import { PlatformUnavailableError } from '../client/platform-unavailable';
import { ValidationError } from '../domain/validation-error';

/**
 * The exit codes of every `secops` command (README, "Exit codes"). `secops scan` alone uses
 * ZAP's codes instead (domain/scan-exit-codes.ts): 0 pass, 1 FAIL, 2 WARN, and 3 for every
 * error, usage errors included, so a pipeline never reads an error as WARN.
 */
export const CLI_EXIT_CODES = {
  ok: 0,
  /** A check or an operation failed: doctor found a failed check, a vote was refused. */
  failed: 1,
  /** Invalid input: config, environment, arguments (usage errors too), an unknown target or id. */
  invalidInput: 2,
  /** Temporal or the store does not answer: nothing was done; start `secops dev` or point the environment at them. */
  unavailable: 3,
} as const;

/** What to do when the platform is down, said on the error's line. */
export const UNAVAILABLE_HINT = 'start the local stack with `secops dev`, or set TEMPORAL_ADDRESS / DATABASE_URL to where yours runs';

/** A failure whose exit code the command chose (see `secops scan`); `cause` says what went wrong. */
export class ExitCodeError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly exitCode: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof ExitCodeError) return error.exitCode;
  // Commander has printed its usage error already; --help and --version end here with 0.
  if (error instanceof CommanderError) return error.exitCode === 0 ? CLI_EXIT_CODES.ok : CLI_EXIT_CODES.invalidInput;
  if (error instanceof ValidationError) return CLI_EXIT_CODES.invalidInput;
  if (error instanceof PlatformUnavailableError) return CLI_EXIT_CODES.unavailable;
  return CLI_EXIT_CODES.failed;
}

/** What to print on stderr for `error`: nothing for commander's, which it printed itself. */
export function errorMessage(error: unknown): string | undefined {
  const cause = error instanceof ExitCodeError ? error.cause : error;
  if (cause instanceof CommanderError) return undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  return cause instanceof PlatformUnavailableError ? `error: ${message}; ${UNAVAILABLE_HINT}` : `error: ${message}`;
}

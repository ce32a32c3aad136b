const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `4h`, `2 days`: the forms config schemas admit (schedule-schema.ts durationSchema). */
const DURATION_FORM = /^\d+\s*(s|m|h|d|seconds?|minutes?|hours?|days?)$/;

/**
 * The longest wait a config may ask for (approval timeouts and escalations, grace periods): a
 * year and a day. Workflows turn durations into Temporal timers and into dates shown to people;
 * `10^20 days` is neither a safe integer of milliseconds nor a date, and a workflow task that
 * computes it fails on every retry, forever.
 */
export const MAX_DURATION_DAYS = 366;
export const MAX_DURATION_MS = MAX_DURATION_DAYS * UNIT_MS.d!;

/** `30m`, `4h`, `2 days` → milliseconds: the duration forms config schemas admit. */
export function durationMs(duration: string): number {
  const [, amount, unit] = /^(\d+)\s*([smhd])/.exec(duration) ?? [];
  if (amount === undefined || unit === undefined) throw new Error(`not a duration: ${duration}`);
  return Number(amount) * UNIT_MS[unit]!;
}

/** What is wrong with `duration` as a config duration, or undefined; never quotes the value, which may be huge. */
export function durationProblem(duration: string): string | undefined {
  if (!DURATION_FORM.test(duration)) return 'must be a duration such as 30m, 4h or 2d';
  const ms = durationMs(duration);
  if (!Number.isSafeInteger(ms) || ms > MAX_DURATION_MS) return `must be at most ${MAX_DURATION_DAYS} days`;
  return undefined;
}

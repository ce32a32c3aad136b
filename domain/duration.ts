const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `4h`, `2 days` → milliseconds: the duration forms config schemas admit. */
export function durationMs(duration: string): number {
  const [, amount, unit] = /^(\d+)\s*([smhd])/.exec(duration) ?? [];
  if (amount === undefined || unit === undefined) throw new Error(`not a duration: ${duration}`);
  return Number(amount) * UNIT_MS[unit]!;
}

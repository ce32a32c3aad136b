/** The median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A percentile bootstrap interval of the median: `resamples` times, draw values.length
 * values with replacement and take their median; the interval is the (1 − confidence)/2 and
 * (1 + confidence)/2 quantiles of those medians. Seeded, so a results file can be recomputed
 * from the values it lists.
 */
export function bootstrapMedianInterval(values: readonly number[], options: { resamples: number; confidence: number; seed: number }): { low: number; high: number } {
  if (values.length === 0) throw new Error('no values to resample');
  const random = mulberry32(options.seed);
  const medians = new Float64Array(options.resamples);
  const sample = new Array<number>(values.length);
  for (let r = 0; r < options.resamples; r++) {
    for (let i = 0; i < values.length; i++) sample[i] = values[Math.floor(random() * values.length)]!;
    medians[r] = median(sample);
  }
  medians.sort();
  const at = (q: number) => medians[Math.min(options.resamples - 1, Math.max(0, Math.round(q * (options.resamples - 1))))]!;
  return { low: at((1 - options.confidence) / 2), high: at((1 + options.confidence) / 2) };
}

/** A small seeded PRNG (mulberry32): the same draws on every machine. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The nearest-rank percentile `p` (0–100] of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

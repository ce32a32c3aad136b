import { describe, expect, it } from 'vitest';
import { bootstrapMedianInterval, median } from '../../bench/statistics';

/** The figures scan-overhead reports (BENCHMARKS.md): a median of paired differences and its bootstrap interval. */
describe('bench statistics', () => {
  it('takes the median of odd and even counts, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([-5])).toBe(-5);
  });

  const options = { resamples: 10_000, confidence: 0.9, seed: 7 };
  const differences = [62, 71, 55, 90, 48, 77, 66, 81, 59, 240, 70, 64, 58, 73, 69];

  it('brackets the median with an interval inside the values, the same for the same seed', () => {
    const interval = bootstrapMedianInterval(differences, options);
    expect(interval.low).toBeLessThan(median(differences));
    expect(interval.high).toBeGreaterThan(median(differences));
    expect(interval.low).toBeGreaterThanOrEqual(Math.min(...differences));
    // The one outlier (240) cannot drag a median's interval up to it.
    expect(interval.high).toBeLessThan(90);
    expect(bootstrapMedianInterval(differences, options)).toEqual(interval);
  });

  it('narrows as the confidence drops, and collapses when every value is the same', () => {
    const wide = bootstrapMedianInterval(differences, options);
    const narrow = bootstrapMedianInterval(differences, { ...options, confidence: 0.5 });
    expect(narrow.low).toBeGreaterThanOrEqual(wide.low);
    expect(narrow.high).toBeLessThanOrEqual(wide.high);
    expect(narrow.high - narrow.low).toBeLessThan(wide.high - wide.low);
    expect(bootstrapMedianInterval([80, 80, 80], options)).toEqual({ low: 80, high: 80 });
    expect(() => bootstrapMedianInterval([], options)).toThrow('no values');
  });
});

/**
 * A clock that moves only when a test moves it: lifetimes (trigger_ids, caches) are
 * checked against it, so a slow machine cannot expire something early and a test can
 * expire it at will without waiting.
 */
export interface ManualClock {
  now(): number;
  advance(ms: number): void;
}

export function manualClock(start = Date.now()): ManualClock {
  let at = start;
  return {
    now: () => at,
    advance: (ms) => void (at += ms),
  };
}

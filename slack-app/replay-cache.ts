/**
 * Request signatures seen within the freshness window. A signed request is valid for five
 * minutes either side of now; inside that window only memory of what was already handled
 * stops a captured request from being sent again. Entries outlive the window, then go.
 * Bounded: when full, the oldest entries go first (they are the closest to expiring).
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 100_000) {}

  /** Records `key`; false when it was already there (a replay). */
  remember(key: string, nowMs: number): boolean {
    this.evict(nowMs);
    if (this.seen.has(key)) return false;
    if (this.seen.size >= this.maxEntries) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, nowMs + this.ttlMs);
    return true;
  }

  private evict(nowMs: number): void {
    // Insertion order is expiry order (one ttl for all), so stop at the first live entry.
    for (const [key, expiresAt] of this.seen) {
      if (expiresAt > nowMs) return;
      this.seen.delete(key);
    }
  }
}

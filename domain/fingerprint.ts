import { hash } from 'node:crypto';
import type { Engine } from './finding';

/**
 * A finding's identity across runs: engine, rule, normalized location and parameter —
 * never payloads, evidence or query values, which scanners vary from run to run.
 */
export function fingerprint(engine: Engine, ruleId: string, url: string, parameter: string | undefined): string {
  return locationFingerprint(engine, ruleId, normalizeLocation(url), parameter);
}

/**
 * The same recipe for a location normalizeLocation already gave (a Finding's `url`): SHA-256
 * of engine, rule, location and parameter joined by NUL, in hex. Store migrations recompute
 * it in SQL from stored rows; see store/migrations/0006-weakness-split.ts.
 */
export function locationFingerprint(engine: Engine, ruleId: string, location: string, parameter: string | undefined): string {
  // The one-shot hash: a Hash object per finding cost a second at a million findings.
  return hash('sha256', `${engine}\u0000${ruleId}\u0000${location}\u0000${parameter ?? ''}`, 'hex');
}

const ID_SEGMENT = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{24,})$/i;

/**
 * `HTTP://Shop.Example:80/items/42/?q=1#x` → `http://shop.example/items/{id}`: lowercase
 * origin without default port, no query or fragment, ids folded, no trailing slash.
 */
export function normalizeLocation(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw.split(/[?#]/)[0] ?? raw;
  }
  const segments = url.pathname
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => (ID_SEGMENT.test(s) ? '{id}' : safeDecode(s)));
  return `${url.protocol}//${url.host}/${segments.join('/')}`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `https://shop.example/a?q=1#x` → `https://shop.example/a` */
export function beforeQuery(uri: string): string {
  const query = uri.indexOf('?');
  const fragment = uri.indexOf('#');
  const end = query === -1 ? fragment : fragment === -1 ? query : Math.min(query, fragment);
  return end === -1 ? uri : uri.slice(0, end);
}

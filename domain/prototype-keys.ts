/**
 * Keys that name (or reach) an object's prototype. Parsed input carries them as plain own
 * keys (JSON.parse, the yaml package), but copying such a key into another object with `[]=`
 * (what zod records and many helpers do) sets the prototype or shadows the constructor.
 * Input that holds them is refused, with the path named.
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isPrototypeKey(key: PropertyKey): boolean {
  return typeof key === 'string' && PROTOTYPE_KEYS.has(key);
}

export function prototypeKeyProblem(key: string): string {
  return `"${key}" is not allowed as a key (it names an object prototype)`;
}

/**
 * The path (as formatPath would write it) of the first prototype-named key anywhere in parsed
 * JSON, or undefined. Iterative: JSON.parse accepts nesting far deeper than a recursive walk's
 * stack, so a hostile body cannot turn this check into a crash; only objects and arrays are
 * queued, each with a link to its parent, so a path is spelled out only for the key found.
 */
export function firstPrototypeKeyPath(value: unknown): { path: string; key: string } | undefined {
  interface Visit { node: object; parent?: Visit; segment?: string | number }
  const pending: Visit[] = value !== null && typeof value === 'object' ? [{ node: value }] : [];
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const entries: [string | number, unknown][] = Array.isArray(visit.node) ? visit.node.map((item, i) => [i, item]) : Object.entries(visit.node);
    for (const [segment, child] of entries) {
      if (typeof segment === 'string' && isPrototypeKey(segment)) return { path: pathOf({ node: visit.node, parent: visit, segment }), key: segment };
      if (child !== null && typeof child === 'object') pending.push({ node: child, parent: visit, segment });
    }
  }
  return undefined;

  function pathOf(visit: Visit): string {
    const segments: (string | number)[] = [];
    for (let at: Visit | undefined = visit; at?.segment !== undefined; at = at.parent) segments.unshift(at.segment);
    return segments.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${segment}`)).join('');
  }
}

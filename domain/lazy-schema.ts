/**
 * A schema built on first use instead of when its module loads, standing in for it meanwhile.
 *
 * The Temporal SDK evaluates the workflow bundle's modules once per run, so a zod schema
 * built at module level in anything workflows/index.ts reaches is rebuilt, and kept, for every
 * run in the worker's cache (bench/playbook-throughput: most of the worker's memory). Built
 * lazily, a schema costs a run only when that run uses it: the act schemas when someone acts
 * on the incident, a ballot's when someone votes, one playbook's input, not all five.
 *
 * What this returns is a stand-in with the schema's type: reading any property (`safeParse`,
 * `optional`, `_zod` …) builds the schema once and reads it there, so callers, and schemas
 * composed of it, use it as they would the schema itself. Building is pure (no clock, no
 * randomness), so a run replays alike whenever its schemas are built. Only property access
 * is forwarded, not enumeration: nothing spreads or lists a schema's own keys.
 */
export function lazySchema<S extends object>(build: () => S): S {
  let schema: S | undefined;
  const built = (): S => (schema ??= build());
  return new Proxy({} as S, {
    get: (_, key) => Reflect.get(built(), key),
    set: (_, key, value) => Reflect.set(built(), key, value),
    has: (_, key) => Reflect.has(built(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(built()),
  });
}

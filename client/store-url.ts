import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../domain/environment';
import { ValidationError } from '../domain/validation-error';

/** Where `secops dev` advertises its embedded store while it runs. */
export function devStoreUrlFile(stateDir: string): string {
  return join(stateDir, 'store.url');
}

/** DATABASE_URL, else the store of a running `secops dev`, else undefined. */
export function findStoreUrl(env: Environment, stateDir = '.secops'): string | undefined {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const file = devStoreUrlFile(stateDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** DATABASE_URL, else the store of a running `secops dev`, else a clear error. */
export function storeUrl(env: Environment, stateDir = '.secops'): string {
  const url = findStoreUrl(env, stateDir);
  if (url) return url;
  throw new ValidationError('environment', [{ path: 'DATABASE_URL', message: 'not set, and no `secops dev` is running here' }]);
}

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Environment } from '../domain/environment';
import { PlatformUnavailableError } from './platform-unavailable';

/** Where `secops dev` keeps its state unless told otherwise: relative, so against the working directory. */
export const DEFAULT_STATE_DIR = '.secops';

/** Where `secops dev` advertises its embedded store while it runs. */
export function devStoreUrlFile(stateDir: string): string {
  return join(stateDir, 'store.url');
}

/** DATABASE_URL, else the store of a running `secops dev`, else undefined. */
export function findStoreUrl(env: Environment, stateDir = DEFAULT_STATE_DIR): string | undefined {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const file = devStoreUrlFile(stateDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** DATABASE_URL, else the store of a running `secops dev`, else a clear error naming where it looked. */
export function storeUrl(env: Environment, stateDir = DEFAULT_STATE_DIR): string {
  const url = findStoreUrl(env, stateDir);
  if (url) return url;
  throw new PlatformUnavailableError(`no store: DATABASE_URL is not set and no \`secops dev\` runs with the state directory ${resolve(stateDir)}`);
}

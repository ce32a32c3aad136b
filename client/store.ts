import { redactUrl } from '../domain/redact-url';
import { openDatabase, type Database } from '../store/database';
import { PlatformUnavailableError } from './platform-unavailable';

/** The SQL store as front ends hold it: opened here, handed to client operations, closed with `end()`. */
export type Store = Database;

export class StoreUnreachableError extends PlatformUnavailableError {}

export function openStore(url: string): Store {
  return openDatabase(url);
}

/**
 * Runs `work` with the store at `url`, closing it afterwards. The store is asked once first,
 * so a store that is down is told as such, not as whatever query of `work` met it first.
 */
export async function withStore<T>(url: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(url);
  try {
    await store.query('SELECT 1').catch((error: unknown) => {
      throw new StoreUnreachableError(`store unreachable at ${redactUrl(url)}: ${reasonOf(error)}`);
    });
    return await work(store);
  } finally {
    await store.end();
  }
}

/** Runs `work` with the store at `url` when there is one (closing it afterwards), else without a store. */
export async function withStoreIfAny<T>(url: string | undefined, work: (store: Store | undefined) => Promise<T>): Promise<T> {
  return url ? withStore(url, work) : work(undefined);
}

/** A failed connect's reason; a refused connect to a name with several addresses comes as an AggregateError without a message. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message || (error as NodeJS.ErrnoException).code || error.name;
}

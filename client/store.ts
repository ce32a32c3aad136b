import { openDatabase, type Database } from '../store/database';

/** The SQL store as front ends hold it: opened here, handed to client operations, closed with `end()`. */
export type Store = Database;

export function openStore(url: string): Store {
  return openDatabase(url);
}

/** Runs `work` with the store at `url`, closing it afterwards. */
export async function withStore<T>(url: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(url);
  try {
    return await work(store);
  } finally {
    await store.end();
  }
}

/** Runs `work` with the store at `url` when there is one (closing it afterwards), else without a store. */
export async function withStoreIfAny<T>(url: string | undefined, work: (store: Store | undefined) => Promise<T>): Promise<T> {
  return url ? withStore(url, work) : work(undefined);
}

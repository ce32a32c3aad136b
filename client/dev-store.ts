import { rmSync, writeFileSync } from 'node:fs';
import { startEmbeddedServer } from '../store/embedded-server';
import { devStoreUrlFile } from './store-url';

export interface DevStore {
  url: string;
  stop(): Promise<void>;
}

/**
 * The embedded store of `secops dev` (PGlite in `<stateDir>/store`), advertised in
 * `<stateDir>/store.url` while it runs so other commands find it (see storeUrl).
 */
export async function startDevStore(stateDir: string): Promise<DevStore> {
  const server = await startEmbeddedServer(`${stateDir}/store`);
  writeFileSync(devStoreUrlFile(stateDir), `${server.url}\n`);
  return {
    url: server.url,
    async stop() {
      rmSync(devStoreUrlFile(stateDir), { force: true });
      await server.stop();
    },
  };
}

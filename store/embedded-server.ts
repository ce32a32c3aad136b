import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * The embedded default store for `secops dev`: PGlite persisted in a folder, served over
 * the PostgreSQL wire protocol on loopback so workers and the CLI use the same driver and
 * SQL as production. Not for production: PGlite multiplexes every client on one backend.
 */
export async function startEmbeddedServer(dataDir: string, port = 0): Promise<EmbeddedServer> {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 32 });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgres://postgres@${address}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

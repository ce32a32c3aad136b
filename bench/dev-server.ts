import { Connection } from '@temporalio/client';
import { DEV_SERVER_SEARCH_ATTRIBUTE_FLAGS } from '../domain/search-attributes';
import { startProcess, type ManagedProcess } from '../processes/child-process';
import { freePort } from '../processes/port';
import { toolPath } from '../processes/tool-paths';
import { waitUntil } from '../processes/wait-until';

/**
 * A Temporal dev server of its own for one benchmark, on loopback and free ports, answering
 * once this resolves (with our search attributes registered, as the test setup's is).
 */
export async function startDevServer(): Promise<ManagedProcess & { address: string }> {
  const port = await freePort();
  const server = startProcess('temporal', toolPath('temporal'), ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port),
    '--http-port', String(await freePort()), '--metrics-port', String(await freePort()), '--log-level', 'error', ...DEV_SERVER_SEARCH_ATTRIBUTE_FLAGS], { log: () => undefined });
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntil('dev server', async () => Connection.connect({ address }).then(async (c) => (await c.close(), true)), 60_000, server.exited);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...server, address };
}

import type { TestProject } from 'vitest/node';
import { startProcess } from '../../processes/child-process';
import { freePort } from './ports';
import { toolPath } from '../../processes/tool-paths';
import { waitUntil } from '../../processes/wait-until';
import { Connection } from '@temporalio/client';
import { DEV_SERVER_SEARCH_ATTRIBUTE_FLAGS } from '../../domain/search-attributes';
import { ensureWapitiImage } from './scanner-images';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

/**
 * One real Temporal dev server for the whole run (in memory), started from the binary
 * scripts/setup.sh installed, and the Wapiti scanner image. If either cannot be had, every
 * test fails with the reason.
 */
export default async function setup(project: TestProject) {
  const port = await freePort();
  const log: string[] = [];
  const server = startProcess('temporal', toolPath('temporal'), [
    'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port),
    '--http-port', String(await freePort()), '--metrics-port', String(await freePort()), '--log-level', 'error',
    ...DEV_SERVER_SEARCH_ATTRIBUTE_FLAGS,
  ], { log: (line) => log.push(line) });
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntil(`Temporal dev server at ${address}`, async () => {
      const connection = await Connection.connect({ address, connectTimeout: '1 second' });
      await connection.close();
      return true;
    }, 60_000, server.exited);
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n${log.slice(-20).join('\n')}`);
  }
  // Built once here, not by test files racing each other: about a minute the first time.
  await ensureWapitiImage().catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  project.provide('temporalAddress', address);
  return () => server.stop();
}

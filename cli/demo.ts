import Docker from 'dockerode';
import type { Client } from '@temporalio/client';
import type { Config } from '../domain/config';
import { findTarget } from '../domain/dast';
import { startVulnerableApp } from '../demo/vulnerable-app';
import { buildWapitiImage } from '../scanners/build-wapiti';
import { startScan } from '../client/start-scan';
import { formatScanResult, waitWithProgress } from './scan-progress';

export const DEMO_TARGET = 'demo-app';

/**
 * The DAST demo: the bundled vulnerable app on loopback, scanned twice by Wapiti through
 * the platform. The second scan compares with the first, so it reports 0 new findings.
 * The app listens on the target URL's port unless `appPort` moves both (8088 may be taken).
 */
export async function runDastDemo(client: Client, config: Config, log: (line: string) => void, appPort?: number): Promise<void> {
  const committed = findTarget(config, DEMO_TARGET);
  if (!committed) throw new Error(`the demo needs the ${DEMO_TARGET} target of the committed secops.config.yaml`);
  const url = new URL(committed.url);
  if (appPort !== undefined) url.port = String(appPort);
  const target = { ...committed, url: url.toString() };
  const image = config.scanners.images.wapiti;
  const present = await new Docker().getImage(image).inspect().then(() => true, () => false);
  if (!present) {
    log(`building the Wapiti image ${image} from Debian packages (about a minute, once)`);
    await buildWapitiImage(image, log);
  }
  const app = await startVulnerableApp({ port: Number(url.port) });
  log(`vulnerable demo app on ${app.url} (loopback only)`);
  try {
    for (const round of ['first', 'second']) {
      log(`\n${round} scan of ${target.id} with Wapiti…`);
      const handle = await startScan(client, config, target, 'cli:demo');
      const result = await waitWithProgress(handle, target, process.stdout);
      log(await formatScanResult(result));
    }
  } finally {
    await app.stop();
  }
}

import Docker from 'dockerode';
import { DEFAULT_SCANNER_IMAGES } from '../../domain/config';
import { buildWapitiImage } from '../../scanners/build-wapiti';

export const WAPITI_IMAGE = DEFAULT_SCANNER_IMAGES.wapiti;

/** Allow this long for the offline build (debootstrap from the apt mirror: about a minute). */
export const WAPITI_BUILD_TIMEOUT_MS = 600_000;

/**
 * The real Wapiti image, built with scanners/wapiti/build.sh when the engine lacks it, exactly
 * as `secops scanners build` does. A failed build fails the test with the script's last lines.
 */
export async function ensureWapitiImage(docker = new Docker()): Promise<string> {
  const present = await docker.getImage(WAPITI_IMAGE).inspect().then(() => true, () => false);
  if (present) return WAPITI_IMAGE;
  const output: string[] = [];
  await buildWapitiImage(WAPITI_IMAGE, (line) => output.push(line)).catch((error: Error) => {
    throw new Error(`building ${WAPITI_IMAGE} failed: ${error.message}\n${output.slice(-15).join('\n')}`);
  });
  return WAPITI_IMAGE;
}

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// Beside this file when run from source; from dist/scanners/, two levels up (tsc copies no .sh).
const CANDIDATES = [join(__dirname, 'wapiti', 'build.sh'), join(__dirname, '..', '..', 'scanners', 'wapiti', 'build.sh')];
export const WAPITI_BUILD_SCRIPT = CANDIDATES.find((path) => existsSync(path)) ?? CANDIDATES[0]!;

/**
 * Builds the Wapiti image with scanners/wapiti/build.sh (docker build, or offline from the
 * apt mirror), streaming its progress lines. An image already present is kept unless `rebuild`.
 */
export function buildWapitiImage(tag: string, log: (line: string) => void, options: { rebuild?: boolean } = {}): Promise<void> {
  const args = [WAPITI_BUILD_SCRIPT, ...(options.rebuild ? ['--rebuild'] : []), tag];
  const child = spawn('bash', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let lastError = '';
  createInterface({ input: child.stdout }).on('line', log);
  createInterface({ input: child.stderr }).on('line', (line) => {
    lastError = line;
    log(line);
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`could not run ${WAPITI_BUILD_SCRIPT}: ${error.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(lastError || `${WAPITI_BUILD_SCRIPT} exited with code ${code}`));
    });
  });
}

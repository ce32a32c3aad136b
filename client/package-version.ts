import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The installed secops-flow's version, from its package.json: beside the sources in a
 * checkout, one folder above dist/ in the image.
 */
export function packageVersion(): string {
  for (let dir = join(__dirname, '..'); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'secops-flow' && manifest.version) return manifest.version;
    }
    if (dirname(dir) === dir) throw new Error(`no secops-flow package.json above ${__dirname}`);
  }
}

import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const PROJECT_ROOT = join(__dirname, '..');

/** A tool from PATH, else the project-local one installed by scripts/setup.sh. */
export function toolPath(name: 'temporal' | 'temporal-test-server'): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  const local = join(PROJECT_ROOT, '.tools', 'venv', 'bin', name);
  if (existsSync(local)) return local;
  throw new Error(`${name} not found on PATH or in .tools/venv; run: npm run setup`);
}

export function projectPath(...segments: string[]): string {
  return join(PROJECT_ROOT, ...segments);
}

import { chmod, chown, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ScanContainerSpec } from './container-spec';

/**
 * Creates the work dir, puts the run's inputs in, and lets the container's user write
 * there. A root worker hands the dir to that uid; any other worker, unless the container
 * runs as itself, can only open it to all (0777), so the work dir belongs inside a
 * directory only the worker can enter (the artifacts dir).
 */
export async function prepareWorkDir(spec: ScanContainerSpec): Promise<void> {
  await mkdir(spec.workDir, { recursive: true });
  for (const input of spec.inputs ?? []) {
    const path = join(spec.workDir, basename(input.name));
    if ('source' in input) await copyFile(input.source, path);
    else await writeFile(path, input.content);
  }
  const self = process.getuid?.();
  if (self === spec.workDirUid) return;
  if (self === 0) await chown(spec.workDir, spec.workDirUid, spec.workDirUid);
  else await chmod(spec.workDir, 0o777);
}

import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export class StateDirLockedError extends Error {}

export interface StateDirLock {
  release(): void;
}

/**
 * One `secops dev` per state directory: two would share the Temporal SQLite file and the
 * embedded store (SQLITE_BUSY, and the second one's exit removes the first one's store.url).
 * The lock file holds the owner's pid; a lock whose owner is gone (killed, crashed) is taken over.
 */
export function lockStateDir(stateDir: string, pid = process.pid): StateDirLock {
  const file = join(stateDir, 'dev.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      return { release: () => ownerOf(file) === pid && rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = ownerOf(file);
      if (owner !== undefined && isRunning(owner)) {
        throw new StateDirLockedError(`${stateDir} is in use by another secops dev (pid ${owner}); stop it, or use another --state-dir`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new StateDirLockedError(`${stateDir}: could not take its lock (${file}); another secops dev is starting there`);
}

function ownerOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

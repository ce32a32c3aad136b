import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { SecretStoreError } from './secret-store';

export interface FileLockOptions {
  /** How long to wait for another holder before giving up. */
  timeoutMs?: number;
  /** A lock older than this was left by a crashed process; holders keep it for milliseconds. */
  staleMs?: number;
}

/**
 * Runs `work` while holding `lockPath`, an exclusive lock file created with O_EXCL, so two
 * processes (two workers, a worker and the CLI) never interleave read-modify-write cycles
 * on the same store file. Works on any local file system, unlike advisory flock, which
 * Node does not expose.
 */
export async function withFileLock<T>(lockPath: string, work: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const owner = `${process.pid} ${randomBytes(8).toString('hex')}`;
  await acquire(lockPath, owner, options.timeoutMs ?? 10_000, options.staleMs ?? 30_000);
  try {
    return await work();
  } finally {
    await release(lockPath, owner);
  }
}

async function acquire(lockPath: string, owner: string, timeoutMs: number, staleMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(owner);
      await handle.close();
      return;
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
    }
    const held = await stat(lockPath).catch(() => undefined);
    if (held && Date.now() - held.mtimeMs > staleMs) {
      await breakStaleLock(lockPath, staleMs);
      continue;
    }
    if (Date.now() > deadline) {
      const holder = await readFile(lockPath, 'utf8').catch(() => '');
      throw new SecretStoreError(`${lockPath} is held by another process (pid ${holder.split(' ')[0] || 'unknown'}) for over ${Math.round(timeoutMs / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
  }
}

/**
 * Moves the stale lock aside under a unique name (rename is atomic, so of two processes
 * breaking it at once only one succeeds). If what was moved turns out to be fresh, a
 * live holder took the lock in between: put it back.
 */
async function breakStaleLock(lockPath: string, staleMs: number): Promise<void> {
  const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  const moved = await stat(aside);
  if (Date.now() - moved.mtimeMs <= staleMs) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside);
}

async function release(lockPath: string, owner: string): Promise<void> {
  // Only our own lock: if we overran staleMs and someone broke it, theirs is not ours to remove.
  const content = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (content === owner) await unlink(lockPath).catch(() => undefined);
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;
}

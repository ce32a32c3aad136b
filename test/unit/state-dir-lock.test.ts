import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockStateDir, StateDirLockedError } from '../../processes/state-dir-lock';

describe('the secops dev state-directory lock', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'secops-lock-'));

  it('refuses a second holder while the first runs, and frees the directory on release', () => {
    const stateDir = dir();
    const first = lockStateDir(stateDir);
    expect(() => lockStateDir(stateDir)).toThrow(StateDirLockedError);
    expect(() => lockStateDir(stateDir)).toThrow(`${stateDir} is in use by another secops dev (pid ${process.pid})`);
    first.release();
    expect(existsSync(join(stateDir, 'dev.lock'))).toBe(false);
    lockStateDir(stateDir).release();
  });

  it('takes over the lock of a holder that is gone', () => {
    const stateDir = dir();
    // The pid of a process that has exited: it cannot be running any more.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(stateDir, 'dev.lock'), `${gone}\n`);
    const lock = lockStateDir(stateDir);
    expect(readFileSync(join(stateDir, 'dev.lock'), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('release leaves a lock that another holder has since taken', () => {
    const stateDir = dir();
    const stale = lockStateDir(stateDir, 2 ** 22 + 1);
    writeFileSync(join(stateDir, 'dev.lock'), `${process.pid}\n`);
    stale.release();
    expect(readFileSync(join(stateDir, 'dev.lock'), 'utf8')).toBe(`${process.pid}\n`);
  });
});

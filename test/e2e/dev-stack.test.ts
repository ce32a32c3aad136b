import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortFree } from '../../processes/port';
import { waitUntil } from '../../processes/wait-until';
import { LATEST_SCHEMA_VERSION } from '../../store/migrations';
import { freePort } from '../support/ports';
import { runEntry, spawnEntry } from '../support/run-cli';

const stateDirs: string[] = [];
afterAll(() => stateDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A state dir of the test's own (history, store), and the artifacts in it rather than in the repository. */
function freshState(): { stateDir: string; env: NodeJS.ProcessEnv } {
  const stateDir = mkdtempSync(join(tmpdir(), 'secops-dev-'));
  stateDirs.push(stateDir);
  return { stateDir, env: { SECOPS_ARTIFACTS_DIR: join(stateDir, 'artifacts') } };
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map((s) => Number(s.trim())).filter(Boolean);
  } catch {
    return [];
  }
}

function commandOf(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`;
  } catch {
    return String(pid);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Running, and not a zombie waiting for init to reap it (kill(pid, 0) succeeds on those). */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('secops dev and secops demo', () => {
  it('demo brings the stack up and prints the preflight table with Temporal and Docker ok', { timeout: 180_000 }, async () => {
    const [port, uiPort, appPort] = [await freePort(), await freePort(), await freePort()];
    const { stateDir, env } = freshState();
    const result = await runEntry(
      ['secops', 'demo', '--exit', '--port', String(port), '--ui-port', String(uiPort), '--app-port', String(appPort), '--state-dir', stateDir],
      env,
      180_000,
    );
    expect(result.stderr).not.toMatch(/^error:/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Temporal UI: http://127.0.0.1:${uiPort}`);
    expect(result.stdout).toMatch(new RegExp(`^temporal +ok +server [\\d.]+ at 127\\.0\\.0\\.1:${port}, namespace default$`, 'm'));
    expect(result.stdout).toMatch(/^control worker +ok +1 poller\(s\) on secops-control$/m);
    expect(result.stdout).toMatch(/^docker +ok +Docker Engine [\d.]+/m);
    expect(result.stdout).toMatch(new RegExp(`^store +ok +PostgreSQL [\\d.]+ .*schema v${LATEST_SCHEMA_VERSION}$`, 'm'));
    expect(result.stdout).toMatch(/^scan dast:demo-app:\S+: \w+ — [1-9]\d* new, 0 fixed, 0 persisting/m);
    expect(result.stdout).toMatch(/^scan dast:demo-app:\S+: \w+ — 0 new, 0 fixed, [1-9]\d* persisting/m);
    expect(result.stdout).toContain(`vulnerable demo app on http://127.0.0.1:${appPort}/ (loopback only)`);
    expect(result.stdout).toMatch(new RegExp(`^new +\\w+ +Cross Site Scripting +http://127\\.0\\.0\\.1:${appPort}/search \\[q\\]`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^HTML report: +${escapeRegExp(env.SECOPS_ARTIFACTS_DIR!)}/\\S+/report\\.html$`, 'm'));
    expect(await isPortFree(port)).toBe(true);
    expect(await isPortFree(appPort)).toBe(true);
  });

  it('dev stops everything it started on Ctrl-C, and nothing else', { timeout: 180_000 }, async () => {
    const [port, uiPort] = [await freePort(), await freePort()];
    const { stateDir, env } = freshState();
    // A process the stack did not start: it must survive the stack's shutdown.
    const bystander = spawn('sleep', ['120']);
    const dev = spawnEntry(['secops', 'dev', '--port', String(port), '--ui-port', String(uiPort), '--state-dir', stateDir], env);
    let output = '';
    dev.stdout?.on('data', (chunk) => (output += chunk));
    dev.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => dev.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`secops dev not ready:\n${output}`)), 150_000);
      dev.stdout?.on('data', () => output.includes('ready. Ctrl-C') && (clearTimeout(timer), resolve()));
      void exited.then(() => reject(new Error(`secops dev exited early:\n${output}`)));
    });
    const started = childrenOf(dev.pid!);
    expect(started.length).toBeGreaterThanOrEqual(2); // Temporal dev server + worker
    expect(await isPortFree(port)).toBe(false);

    // A second stack on the same state dir is refused before it starts anything, and the
    // first one's store stays advertised.
    const [otherPort, otherUiPort] = [await freePort(), await freePort()];
    const second = await runEntry(['secops', 'dev', '--port', String(otherPort), '--ui-port', String(otherUiPort), '--state-dir', stateDir], env, 60_000);
    expect(second.stderr).toContain(`error: ${stateDir} is in use by another secops dev (pid `);
    expect(second.code).toBe(1);
    expect(await isPortFree(otherPort)).toBe(true);
    expect(existsSync(join(stateDir, 'store.url'))).toBe(true);

    dev.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('secops dev: stopped');
    expect(output).toContain('[worker] worker: stopped');
    // A helper that ends by itself once its parent is gone (tsx's esbuild service) may outlive
    // the stack by a moment; anything the stack failed to stop would still run at the timeout.
    await waitUntil('every process the stack started has ended', async () => started.filter(isAlive).length === 0, 20_000).catch(() => undefined);
    expect(started.filter(isAlive).map((pid) => commandOf(pid))).toEqual([]);
    expect(await isPortFree(port)).toBe(true);
    expect(isAlive(bystander.pid!)).toBe(true);
    bystander.kill();
  });
});

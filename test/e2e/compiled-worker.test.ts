import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { checkPollers } from '../../client/check-pollers';
import { projectPath } from '../../processes/tool-paths';
import { parseEnvironment } from '../../domain/environment';
import { devServerClient, uniqueTaskQueues } from '../support/workers';

/**
 * The container image runs the compiled dist/ with `node`, not tsx: compile the same way
 * the Dockerfile does and check that the worker bundles its workflows, polls, and stops
 * cleanly on SIGTERM (what `docker stop` sends).
 */
describe('compiled worker (as in the container image)', () => {
  // The image's layout, outside the repository: /app/dist beside /app/node_modules, where
  // Node's lookup from dist/worker/main.js walks up to.
  const app = mkdtempSync(join(tmpdir(), 'secops-build-'));
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('builds, polls its task queues and drains on SIGTERM', { timeout: 180_000 }, async () => {
    const outDir = join(app, 'dist');
    execFileSync(process.execPath, [projectPath('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: projectPath() });
    symlinkSync(projectPath('node_modules'), join(app, 'node_modules'), 'dir');
    const taskQueues = uniqueTaskQueues();
    const configPath = join(app, 'secops.config.yaml');
    writeFileSync(configPath, `version: 1\ntaskQueues: { control: ${taskQueues.control}, scanners: ${taskQueues.scanners} }\n`);

    const worker = spawn(process.execPath, [join(outDir, 'worker', 'main.js')], {
      env: { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), SECOPS_CONFIG: configPath, SECOPS_LOG_LEVEL: 'WARN' },
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (chunk) => (output += chunk));
    worker.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));

    const client = await devServerClient();
    const env = parseEnvironment({ TEMPORAL_ADDRESS: inject('temporalAddress') });
    const polling = await Promise.all([
      checkPollers(client, env, taskQueues.control, 'control', 60_000),
      checkPollers(client, env, taskQueues.scanners, 'scanners', 60_000),
    ]);
    await client.connection.close();
    expect(polling.map((p) => p.status), output).toEqual(['ok', 'ok']);

    worker.kill('SIGTERM');
    expect(await exited, output).toBe(0);
    expect(output).toContain('worker: stopped');
  });
});

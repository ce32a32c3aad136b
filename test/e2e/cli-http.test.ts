import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitUntil } from '../../processes/wait-until';
import { migrate } from '../../store/migrations';
import { ALERTMANAGER_WEBHOOK } from '../support/alertmanager-fixture';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { runEntry, spawnEntry } from '../support/run-cli';

/**
 * `secops http` as an operator runs it: it listens where the config says with the real
 * intake, refuses to start without a credential to check, and stops cleanly on SIGTERM.
 */
describe('secops http', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secops-cli-http-'));
  const token = randomBytes(32).toString('hex');
  let fresh: FreshDatabase;
  let port: number;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
    port = await freePort();
    writeFileSync(join(dir, 'secops.config.yaml'), JSON.stringify({ version: 1, http: { listen: `127.0.0.1:${port}` } }));
    env = { SECOPS_CONFIG: join(dir, 'secops.config.yaml'), TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: fresh.url, SECOPS_ALERTMANAGER_TOKEN: token };
  });
  afterAll(async () => {
    await fresh?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the Alertmanager hook on config http.listen until SIGTERM', async () => {
    const child = spawnEntry(['secops', 'http'], env);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitUntil('secops http listening', async () => output.includes('listening'), 30_000, exited);
      expect(output).toBe(`http: listening on http://127.0.0.1:${port} (POST /hooks/alertmanager; GET /healthz)\n`);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      // The config routes nothing: the intake's refusal comes back as a 422 with its reason.
      const refused = await fetch(`http://127.0.0.1:${port}/hooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: ALERTMANAGER_WEBHOOK });
      expect(refused.status).toBe(422);
      expect(((await refused.json()) as { error: string }).error).toContain('no incident route matches');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('http: stopped\n');
    expect(output).not.toContain(token);
  });

  it('refuses to start without a credential to check (exit 2), or without Temporal (exit 3)', async () => {
    const [bare, noTemporal] = await Promise.all([
      runEntry(['secops', 'http'], { ...env, SECOPS_ALERTMANAGER_TOKEN: '' }),
      runEntry(['secops', 'http'], { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` }),
    ]);
    expect(bare).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('SECOPS_ALERTMANAGER_TOKEN, SECOPS_WEBHOOK_SECRETS: neither is set: there would be no webhook to serve') });
    expect(noTemporal).toMatchObject({ code: 3, stdout: '', stderr: expect.stringContaining('Temporal unreachable at') });
  });
});

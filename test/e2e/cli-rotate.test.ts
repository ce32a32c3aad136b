import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { waitUntil } from '../../processes/wait-until';
import { FileSecretStore } from '../../secrets/file-secret-store';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { logsIn } from '../support/postgres-login';
import { runEntry } from '../support/run-cli';
import { startWorkers } from '../support/workers';

/**
 * `secops rotate <credential>` as a user runs it, against real workers whose activities use
 * the environment's providers (admin URL from the variable the config names, the file store
 * keyed by SECOPS_SECRET_STORE_KEY), as a deployed worker's do.
 */
describe('secops rotate', () => {
  let fresh: FreshDatabase;
  const suffix = randomBytes(3).toString('hex');
  const role = `rot_cli_${suffix}`;
  const adminUrlEnv = `SECOPS_TEST_ROTATE_ADMIN_URL_${suffix.toUpperCase()}`;
  const storeKey = randomBytes(32).toString('base64');
  const dir = mkdtempSync(join(tmpdir(), 'secops-cli-rotate-'));
  const storeFile = join(dir, 'secrets.json');

  beforeAll(async () => {
    fresh = await freshDatabase();
    await fresh.db.query(`CREATE ROLE ${role} LOGIN`);
    // The workers run in this process: their providers read the environment, as in production.
    process.env[adminUrlEnv] = fresh.url;
    process.env.SECOPS_SECRET_STORE_KEY = storeKey;
  });
  afterAll(async () => {
    delete process.env[adminUrlEnv];
    delete process.env.SECOPS_SECRET_STORE_KEY;
    await fresh?.db.query(`DROP ROLE IF EXISTS ${role}`);
    await fresh?.drop();
  });

  it('rotates a configured credential (exit 0, the new CURRENT logs in); an unknown one exits 2 and starts nothing', { timeout: 180_000 }, async () => {
    const workers = await startWorkers(createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: undefined }), ['control']);
    const credentialId = `cli-${suffix}`;
    const unknownId = `unknown-${suffix}`;
    const configPath = join(dir, 'secops.config.yaml');
    writeFileSync(configPath, `version: 1
taskQueues: { control: ${workers.taskQueues.control}, scanners: ${workers.taskQueues.scanners} }
credentials:
  - id: ${credentialId}
    target: { provider: postgres-role, adminUrlEnv: ${adminUrlEnv}, strategy: single-user, role: ${role} }
    secretStore: { provider: file, file: ${storeFile}, path: db/${credentialId} }
    gracePeriod: 1s
`);
    const env = { SECOPS_CONFIG: configPath, TEMPORAL_ADDRESS: inject('temporalAddress'), SECOPS_SECRET_STORE_KEY: storeKey, SECOPS_USER: 'alice' };

    await workers.during(async () => {
      const unknown = await runEntry(['secops', 'rotate', unknownId], env);
      expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: `error: secops rotate is invalid:\n  - credential: unknown credential "${unknownId}" (known: ${credentialId})\n` });

      const rotated = await runEntry(['secops', 'rotate', credentialId], env);
      expect(rotated.stderr).toBe('');
      expect(rotated.code).toBe(0);
      expect(rotated.stdout).toMatch(new RegExp(`^rotation started: rotate:${credentialId}\n${credentialId}: version 1 for ${role} is CURRENT\n$`));

      await expect(workers.client.workflow.getHandle(`rotate:${unknownId}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
      // Visibility lags: wait for the one rotation to show, then check it is the only run on the queue.
      const runsOnQueue = async () => {
        const ids: string[] = [];
        for await (const run of workers.client.workflow.list({ query: `TaskQueue = '${workers.taskQueues.control}'` })) ids.push(run.workflowId);
        return ids;
      };
      await waitUntil('the rotation is visible', async () => (await runsOnQueue()).length > 0, 30_000);
      expect(await runsOnQueue()).toEqual([`rotate:${credentialId}`]);
    });

    const current = await FileSecretStore.fromEnvironment(storeFile, { SECOPS_SECRET_STORE_KEY: storeKey }).getVersion(`db/${credentialId}`, 'CURRENT');
    const credential = JSON.parse(current!.value) as { username: string; password: string };
    expect(credential.username).toBe(role);
    expect(await logsIn(fresh.url, role, credential.password)).toBe(true);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../support/ports';
import { devServerClient } from '../support/workers';
import { runEntry } from '../support/run-cli';

// Unique, so the poller check below sees this run's worker only.
const controlQueue = `cfg-test-control-${randomBytes(4).toString('hex')}`;
const invalidConfig = join(mkdtempSync(join(tmpdir(), 'secops-config-')), 'secops.config.yaml');
writeFileSync(invalidConfig, `version: 1
taskQueues: { control: ${controlQueue}, scanners: ${controlQueue}-scanners }
targets:
  - id: a
    url: http://127.0.0.1/
  - id: b
    url: https://b.example.test/
  - id: c
    url: ftp://c.example.test/
    schedule: { timezone: Nowhere/City }
`);

describe('clear one-line errors from the CLI and the worker', () => {
  it('secops doctor: unreachable Temporal exits 3 (unavailable), with how to start it', async () => {
    const port = await freePort();
    const result = await runEntry(['secops', 'doctor'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    expect(result.code).toBe(3);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^error: Temporal unreachable at 127\\.0\\.0\\.1:${port}: .*; start the local stack with \`secops dev\``));
  });

  it('worker: unreachable Temporal', async () => {
    const port = await freePort();
    const result = await runEntry(['worker/main.ts'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^error: Temporal unreachable at 127\\.0\\.0\\.1:${port}: `))]);
  });

  it('invalid config: every problem listed with its path, and the worker starts nothing', async () => {
    const result = await runEntry(['worker/main.ts'], { SECOPS_CONFIG: invalidConfig, TEMPORAL_ADDRESS: inject('temporalAddress') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: ${invalidConfig} is invalid:`);
    expect(result.stderr).toContain('  - targets[2].url: must be http(s)');
    expect(result.stderr).toContain('  - targets[2].schedule.timezone: must be an IANA time zone such as Europe/Paris');
    const client = await devServerClient();
    const queue = await client.connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: controlQueue }, taskQueueType: 1 });
    expect(queue.pollers ?? []).toEqual([]);
    await client.connection.close();
  });

  it('secops doctor: invalid config and invalid environment exit 2 before connecting', async () => {
    const config = await runEntry(['secops', 'doctor'], { SECOPS_CONFIG: invalidConfig });
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('targets[2].url: must be http(s)');
    const env = await runEntry(['secops', 'doctor'], { TEMPORAL_ADDRESS: 'not an address' });
    expect(env.code).toBe(2);
    expect(env.stderr.trim()).toBe('error: environment is invalid:\n  - TEMPORAL_ADDRESS: must be host:port');
  });

  it('secops config check: says ok for the committed example', async () => {
    const result = await runEntry(['secops', 'config', 'check']);
    expect(result).toMatchObject({ code: 0, stdout: 'secops.config.yaml: ok (1 target(s))\n' });
  });
});

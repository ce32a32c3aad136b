import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitUntil } from '../../processes/wait-until';
import { parseConfig } from '../../domain/config';
import type { TaskQueueNames } from '../../domain/task-queues';
import { syncSchedules } from '../../client/schedules';
import { runEntry, spawnEntry } from '../support/run-cli';
import { uniqueTargetId } from '../support/slack-app-harness';
import { devServerClient, uniqueTaskQueues } from '../support/workers';

/**
 * `secops schedules …` and the worker's `--sync-schedules`, as processes against the run's
 * dev server, which other test files share: unique target ids and task queues, and a
 * neighbour deployment's schedule that none of these commands may touch. Each test deletes
 * exactly the schedules and runs it made.
 */
describe('schedules from the command line', () => {
  let client: Client;
  const created = new Set<string>();
  const startedRuns = new Set<string>();
  beforeAll(async () => {
    client = await devServerClient();
  });
  afterAll(async () => {
    for (const id of startedRuns) await client?.workflow.getHandle(id).terminate('test cleanup').catch(() => undefined);
    for (const id of created) {
      await client?.schedule.getHandle(id).delete().catch((error: unknown) => {
        if (!(error instanceof ScheduleNotFoundError)) throw error;
      });
    }
    await client?.connection.close();
  });

  function configYaml(taskQueues: TaskQueueNames, targets: string[]): string {
    return `version: 1
taskQueues: { control: ${taskQueues.control}, scanners: ${taskQueues.scanners} }
targets:
${targets.map((id, i) => `  - { id: ${id}, url: "http://127.0.0.1:9/", engine: wapiti, scope: { hosts: [127.0.0.1] }, schedule: { dayOfWeek: MONDAY, hour: ${3 + i}, minute: 15, timezone: Europe/Paris } }`).join('\n')}
`;
  }
  function writeConfig(yaml: string): string {
    const file = join(mkdtempSync(join(tmpdir(), 'secops-schedules-')), 'secops.config.yaml');
    writeFileSync(file, yaml);
    return file;
  }
  const describeSchedule = (id: string) => client.schedule.getHandle(id).describe();
  /** The rows of `secops schedules list` as [schedule, state]. */
  const rowsOf = (stdout: string) => stdout.trim().split('\n').slice(2).map((line) => line.trim().split(/ {2,}/).slice(0, 2));

  it('sync, list, pause, unpause and trigger act on this deployment\'s schedules only', { timeout: 120_000 }, async () => {
    const [a, b, theirs] = [uniqueTargetId('sched-a'), uniqueTargetId('sched-b'), uniqueTargetId('sched-theirs')];
    const ours = uniqueTaskQueues();
    const neighbour = uniqueTaskQueues();
    for (const id of [a, b, theirs]) created.add(`dast:${id}`);
    // Another deployment on the same namespace, with a schedule of its own.
    await syncSchedules(client, parseConfig(configYaml(neighbour, [theirs])));
    const theirsBefore = await describeSchedule(`dast:${theirs}`);

    const configPath = writeConfig(configYaml(ours, [a, b]));
    const env = { SECOPS_CONFIG: configPath, SECOPS_USER: 'alice', TEMPORAL_ADDRESS: inject('temporalAddress') };
    const secops = (...args: string[]) => runEntry(['secops', 'schedules', ...args], env);

    expect(await secops('sync')).toMatchObject({ code: 0, stderr: '', stdout: `created: dast:${a}, dast:${b}\n` });
    expect(await secops('sync')).toMatchObject({ code: 0, stderr: '', stdout: `unchanged: dast:${a}, dast:${b}\n` });
    const scheduleA = await describeSchedule(`dast:${a}`);
    expect(scheduleA.action).toMatchObject({ type: 'startWorkflow', workflowType: 'dastScan', workflowId: `dast:${a}`, taskQueue: ours.control });
    expect(scheduleA.spec.calendars?.[0]).toMatchObject({ dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }], hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 15, end: 15, step: 1 }] });
    expect(scheduleA.spec.timezone).toBe('Europe/Paris');
    expect(scheduleA.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 86_400_000 });

    const listed = await secops('list');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(rowsOf(listed.stdout)).toEqual([[`dast:${a}`, 'active'], [`dast:${b}`, 'active']].sort((x, y) => x[0]!.localeCompare(y[0]!)));

    expect(await secops('pause', a)).toMatchObject({ code: 0, stderr: '', stdout: `dast:${a}: paused\n` });
    expect((await describeSchedule(`dast:${a}`)).state).toMatchObject({ paused: true, note: 'pause by cli:alice' });
    expect(rowsOf((await secops('list')).stdout)).toContainEqual([`dast:${a}`, 'paused']);
    expect(await secops('unpause', a)).toMatchObject({ code: 0, stderr: '', stdout: `dast:${a}: unpaused\n` });
    expect((await describeSchedule(`dast:${a}`)).state).toMatchObject({ paused: false, note: 'unpause by cli:alice' });

    expect(await secops('trigger', b)).toMatchObject({ code: 0, stderr: '', stdout: `dast:${b}: triggered\n` });
    // No worker polls these queues: the run stays open, so it is found, then terminated by afterAll.
    let runs: { workflowId: string; taskQueue: string }[] = [];
    await waitUntil(`the run triggered for ${b}`, async () => {
      runs = [];
      for await (const run of client.workflow.list({ query: `WorkflowType = 'dastScan' AND SecopsTarget = '${b}'` })) runs.push(run);
      return runs.length > 0;
    }, 30_000);
    runs.forEach((run) => startedRuns.add(run.workflowId));
    expect(runs.map((run) => [run.workflowId.replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z$/, '<time>'), run.taskQueue])).toEqual([[`dast:${b}-<time>`, ours.control]]);

    // A target the config does not name is invalid input, whoever holds a schedule of that name
    // (the neighbour's is left alone: see the end of this test).
    const unknown = await secops('pause', 'nope');
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: `error: secops schedules pause is invalid:\n  - target: unknown target "nope" (known: ${a}, ${b})\n` });
    const notOurs = await secops('pause', theirs);
    expect(notOurs).toMatchObject({ code: 2, stdout: '', stderr: `error: secops schedules pause is invalid:\n  - target: unknown target "${theirs}" (known: ${a}, ${b})\n` });

    // b leaves the config: sync deletes its schedule, and only that.
    writeFileSync(configPath, configYaml(ours, [a]));
    expect(await secops('sync')).toMatchObject({ code: 0, stderr: '', stdout: `deleted: dast:${b}\nunchanged: dast:${a}\n` });
    await expect(describeSchedule(`dast:${b}`)).rejects.toBeInstanceOf(ScheduleNotFoundError);
    const theirsAfter = await describeSchedule(`dast:${theirs}`);
    expect([theirsAfter.state, theirsAfter.action, theirsAfter.memo]).toEqual([theirsBefore.state, theirsBefore.action, theirsBefore.memo]);
    expect(rowsOf((await secops('list')).stdout)).toEqual([[`dast:${a}`, 'active']]);
  });

  it('the worker with --sync-schedules creates the config\'s schedules on start, says so, and stops on SIGTERM', { timeout: 120_000 }, async () => {
    const target = uniqueTargetId('sched-worker');
    const taskQueues = uniqueTaskQueues();
    created.add(`dast:${target}`);
    const configPath = writeConfig(configYaml(taskQueues, [target]));
    // The control role only: a scanners role would run the container reaper on the shared Docker Engine.
    const worker = spawnEntry(['worker/main.ts', '--role', 'control', '--sync-schedules'], { SECOPS_CONFIG: configPath, TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: undefined });
    let stdout = '';
    let stderr = '';
    worker.stdout?.on('data', (chunk) => (stdout += chunk));
    worker.stderr?.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
    try {
      await waitUntil(`the worker polling ${taskQueues.control} (stderr: ${stderr})`, async () => stdout.includes('worker: polling'), 90_000, exited);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nstdout: ${stdout}\nstderr: ${stderr}`);
    }
    expect(stdout).toContain('schedules: 1 created, 0 updated, 0 deleted, 0 unchanged\n');
    expect(stdout).toContain(`worker: polling ${taskQueues.control} on ${inject('temporalAddress')} (namespace default)\n`);
    const schedule = await describeSchedule(`dast:${target}`);
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'dastScan', workflowId: `dast:${target}`, taskQueue: taskQueues.control });
    expect(schedule.state.paused).toBe(false);

    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('worker: stopped');
    expect(stderr).toBe('');
  });
});

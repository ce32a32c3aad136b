import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../domain/config';
import { waitUntil } from '../../processes/wait-until';
import { listSchedules, scheduleOf, syncSchedules } from '../../client/schedules';
import { devServerClient, uniqueTaskQueues } from '../support/workers';

/**
 * The dev server is shared by every test file (and by other runs' CLI tests): each test has
 * its own task queues, hence its own deployment, and target and credential ids of its own,
 * so its syncs and its cleanup touch its own schedules only.
 */
function deployment() {
  const suffix = randomUUID().slice(0, 8);
  const queues = uniqueTaskQueues();
  const ids = { shop: `shop-${suffix}`, blog: `blog-${suffix}`, db: `shop-db-${suffix}` };
  const rotated = `  - { id: ${ids.db}, target: { provider: postgres-role, adminUrlEnv: SHOP_DB_ADMIN_URL, strategy: single-user, role: shop }, secretStore: { provider: file, file: s.json, path: shop/db }, schedule: { dayOfWeek: TUESDAY, hour: 10 } }\n`;
  const shop = `  - { id: ${ids.shop}, url: "http://127.0.0.1:9001/", scope: { hosts: [127.0.0.1] }, schedule: { dayOfWeek: MONDAY, hour: 3, timezone: Europe/Paris } }\n`;
  const blog = `  - { id: ${ids.blog}, url: "http://127.0.0.1:9002/", engine: wapiti, scope: { hosts: [127.0.0.1] } }\n`;
  const configWith = (targets: string, credentials = '  []\n') =>
    parseConfig(`version: 1\ntaskQueues: { control: ${queues.control}, scanners: ${queues.scanners} }\ncredentials:\n${credentials}targets:\n${targets.length > 0 ? targets : '  []\n'}`);
  const scheduleIds = [`dast:${ids.shop}`, `dast:${ids.blog}`, `rotate-schedule:${ids.db}`];
  return { queues, ids, rotated, shop, blog, configWith, empty: configWith(''), scheduleIds };
}

/**
 * Waits until the schedule list shows every one of `scheduleIds`: sync finds the schedules
 * to delete through the list, which visibility updates a moment after a create.
 */
async function listed(client: Client, scheduleIds: string[]): Promise<void> {
  await waitUntil(`${scheduleIds.join(', ')} listed`, async () => {
    const seen = new Set<string>();
    for await (const summary of client.schedule.list()) seen.add(summary.scheduleId);
    return scheduleIds.every((id) => seen.has(id));
  }, 30_000);
}

/** Deletes the test's own schedules, whichever exist: never another test's. */
async function deleteOwn(client: Client, scheduleIds: string[]): Promise<void> {
  for (const id of scheduleIds) {
    await client.schedule.getHandle(id).delete().catch((error: unknown) => {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    });
  }
}

/** A `dast:` schedule of another deployment: its action starts workflows on a task queue of its own. */
async function foreignSchedule(client: Client, targetId: string) {
  const scheduleId = `dast:${targetId}`;
  await client.schedule.create({
    scheduleId,
    spec: { calendars: [{ dayOfWeek: 'FRIDAY', hour: 1 }] },
    action: { type: 'startWorkflow', workflowType: 'dastScan', workflowId: scheduleId, taskQueue: `other-control-${targetId}`, args: [] },
    state: { paused: true },
  });
  await listed(client, [scheduleId]);
  return client.schedule.getHandle(scheduleId);
}

describe('schedules as code on a real dev server', () => {
  it('creates, leaves alone, updates and deletes the deployment\'s schedules to match the config', { timeout: 120_000 }, async () => {
    const client = await devServerClient();
    const { queues, ids, rotated, shop, blog, configWith, scheduleIds } = deployment();
    const [dastShop, dastBlog, rotateDb] = [`dast:${ids.shop}`, `dast:${ids.blog}`, `rotate-schedule:${ids.db}`];
    try {
      expect(await syncSchedules(client, configWith(shop + blog, rotated))).toEqual({ created: [dastShop, dastBlog, rotateDb], updated: [], deleted: [], unchanged: [] });
      expect(await syncSchedules(client, configWith(shop + blog, rotated))).toEqual({ created: [], updated: [], deleted: [], unchanged: [dastShop, dastBlog, rotateDb] });
      const rotation = await client.schedule.getHandle(rotateDb).describe();
      expect(rotation.action).toMatchObject({ type: 'startWorkflow', workflowType: 'scheduledRotation', taskQueue: queues.control });

      const config = configWith(shop + blog, rotated);
      const shopSchedule = await (await scheduleOf(client, config, ids.shop)).describe();
      expect(shopSchedule.spec.calendars?.[0]).toMatchObject({ dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }], hour: [{ start: 3, end: 3, step: 1 }] });
      expect(shopSchedule.spec.timezone).toBe('Europe/Paris');
      expect(shopSchedule.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 86_400_000 });
      expect(shopSchedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'dastScan', workflowId: dastShop, taskQueue: queues.control });

      await (await scheduleOf(client, config, ids.shop)).pause('maintenance');
      await listed(client, [dastBlog, rotateDb]);
      const moved = configWith(shop.replace('hour: 3', 'hour: 5'));
      expect(await syncSchedules(client, moved)).toEqual({ created: [], updated: [dastShop], deleted: [dastBlog, rotateDb], unchanged: [] });
      const updated = await (await scheduleOf(client, moved, ids.shop)).describe();
      expect(updated.spec.calendars?.[0]?.hour).toEqual([{ start: 5, end: 5, step: 1 }]);
      expect(updated.state.paused).toBe(true); // a pause survives a config change
      await listed(client, [dastShop]);
      expect((await listSchedules(client, moved)).map((s) => [s.scheduleId, s.paused])).toEqual([[dastShop, true]]);
      await expect(scheduleOf(client, moved, ids.blog)).rejects.toThrow(`no schedule for target ${ids.blog}: run secops schedules sync`);
    } finally {
      await deleteOwn(client, scheduleIds);
      await client.connection.close();
    }
  });

  it('never touches another deployment\'s schedules, and refuses to take over their ids', { timeout: 120_000 }, async () => {
    const client = await devServerClient();
    const { ids, shop, configWith, empty, scheduleIds } = deployment();
    const neighbour = `neighbour-${randomUUID().slice(0, 8)}`;
    const foreign = await foreignSchedule(client, neighbour);
    try {
      const before = await foreign.describe();
      // A sync whose config lacks it would delete a schedule of its own of that name: this one stays.
      expect(await syncSchedules(client, configWith(shop))).toEqual({ created: [`dast:${ids.shop}`], updated: [], deleted: [], unchanged: [] });
      await listed(client, [`dast:${ids.shop}`]);
      expect(await syncSchedules(client, empty)).toEqual({ created: [], updated: [], deleted: [`dast:${ids.shop}`], unchanged: [] });
      const after = await foreign.describe();
      expect(after.info.createdAt).toEqual(before.info.createdAt);
      expect(after.action).toEqual(before.action);
      expect(after.state.paused).toBe(true);

      // Not the deployment's: not listed, not paused or triggered through its CLI.
      expect((await listSchedules(client, configWith(shop))).map((s) => s.scheduleId)).not.toContain(`dast:${neighbour}`);
      await expect(scheduleOf(client, empty, neighbour)).rejects.toThrow(`the schedule of target ${neighbour} belongs to another deployment (task queue other-control-${neighbour}`);

      // A config naming the neighbour's target is refused, and nothing changes: not its schedule, not ours.
      const clash = configWith(shop + `  - { id: ${neighbour}, url: "http://127.0.0.1:9003/", scope: { hosts: [127.0.0.1] } }\n`);
      await expect(syncSchedules(client, clash)).rejects.toThrow(`schedules dast:${neighbour} (task queue other-control-${neighbour}) start workflows on another task queue`);
      expect((await foreign.describe()).info.createdAt).toEqual(before.info.createdAt);
      await expect(client.schedule.getHandle(`dast:${ids.shop}`).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    } finally {
      await foreign.delete();
      await deleteOwn(client, scheduleIds);
      await client.connection.close();
    }
  });

  it('trigger starts a dastScan run findable by its target search attribute', { timeout: 60_000 }, async () => {
    const client = await devServerClient();
    const { ids, blog, configWith, scheduleIds } = deployment();
    try {
      const config = configWith(blog);
      await syncSchedules(client, config);
      await (await scheduleOf(client, config, ids.blog)).trigger();
      let runs: string[] = [];
      await waitUntil('triggered run visible', async () => {
        runs = [];
        for await (const run of client.workflow.list({ query: `WorkflowType = 'dastScan' AND SecopsTarget = '${ids.blog}'` })) runs.push(run.workflowId);
        return runs.length > 0;
      }, 30_000);
      expect(runs[0]).toMatch(new RegExp(`^dast:${ids.blog}-\\d{4}-\\d{2}-\\d{2}T`));
      for (const id of runs) await client.workflow.getHandle(id).terminate('test cleanup');
    } finally {
      await deleteOwn(client, scheduleIds);
      await client.connection.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../domain/config';
import { waitUntil } from '../../cli/wait-until';
import { listSchedules, scheduleOf, syncSchedules } from '../../worker/schedules';
import { devServerClient } from '../support/workers';

const configWith = (targets: string, credentials = '  []\n') => parseConfig(`version: 1\ntaskQueues: { control: sched-control, scanners: sched-scanners }\ncredentials:\n${credentials}targets:\n${targets}`);
const rotated = '  - { id: shop-db, target: { provider: postgres-role, adminUrlEnv: SHOP_DB_ADMIN_URL, strategy: single-user, role: shop }, secretStore: { provider: file, file: s.json, path: shop/db }, schedule: { dayOfWeek: TUESDAY, hour: 10 } }\n';
const shop = '  - { id: shop, url: "http://127.0.0.1:9001/", schedule: { dayOfWeek: MONDAY, hour: 3, timezone: Europe/Paris } }\n';
const blog = '  - { id: blog, url: "http://127.0.0.1:9002/", engine: wapiti }\n';

describe('schedules as code on a real dev server', () => {
  it('creates, leaves alone, updates and deletes dast:* schedules to match the config', { timeout: 120_000 }, async () => {
    const client = await devServerClient();
    try {
      expect(await syncSchedules(client, configWith(shop + blog, rotated))).toEqual({ created: ['dast:shop', 'dast:blog', 'rotate-schedule:shop-db'], updated: [], deleted: [], unchanged: [] });
      expect(await syncSchedules(client, configWith(shop + blog, rotated))).toEqual({ created: [], updated: [], deleted: [], unchanged: ['dast:shop', 'dast:blog', 'rotate-schedule:shop-db'] });
      const rotation = await client.schedule.getHandle('rotate-schedule:shop-db').describe();
      expect(rotation.action).toMatchObject({ type: 'startWorkflow', workflowType: 'scheduledRotation', taskQueue: 'sched-control' });

      const shopSchedule = await (await scheduleOf(client, 'shop')).describe();
      expect(shopSchedule.spec.calendars?.[0]).toMatchObject({ dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }], hour: [{ start: 3, end: 3, step: 1 }] });
      expect(shopSchedule.spec.timezone).toBe('Europe/Paris');
      expect(shopSchedule.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 86_400_000 });
      expect(shopSchedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'dastScan', workflowId: 'dast:shop', taskQueue: 'sched-control' });

      await (await scheduleOf(client, 'shop')).pause('maintenance');
      const moved = shop.replace('hour: 3', 'hour: 5');
      expect(await syncSchedules(client, configWith(moved))).toEqual({ created: [], updated: ['dast:shop'], deleted: ['dast:blog', 'rotate-schedule:shop-db'], unchanged: [] });
      const updated = await (await scheduleOf(client, 'shop')).describe();
      expect(updated.spec.calendars?.[0]?.hour).toEqual([{ start: 5, end: 5, step: 1 }]);
      expect(updated.state.paused).toBe(true); // a pause survives a config change
      expect((await listSchedules(client)).map((s) => [s.scheduleId, s.paused])).toEqual([['dast:shop', true]]);
      await expect(scheduleOf(client, 'blog')).rejects.toThrow('no schedule for target blog: run secops schedules sync');
    } finally {
      await syncSchedules(client, parseConfig('version: 1'));
      await client.connection.close();
    }
  });

  it('trigger starts a dastScan run findable by its target search attribute', { timeout: 60_000 }, async () => {
    const client = await devServerClient();
    try {
      await syncSchedules(client, configWith(blog));
      await (await scheduleOf(client, 'blog')).trigger();
      let ids: string[] = [];
      await waitUntil('triggered run visible', async () => {
        ids = [];
        for await (const run of client.workflow.list({ query: `WorkflowType = 'dastScan' AND SecopsTarget = 'blog'` })) ids.push(run.workflowId);
        return ids.length > 0;
      }, 30_000);
      expect(ids[0]).toMatch(/^dast:blog-\d{4}-\d{2}-\d{2}T/);
      for (const id of ids) await client.workflow.getHandle(id).terminate('test cleanup');
    } finally {
      await syncSchedules(client, parseConfig('version: 1'));
      await client.connection.close();
    }
  });
});

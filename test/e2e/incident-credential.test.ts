import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { signAct } from '../../client/incident-act';
import { incidentInput, startIncident } from '../../client/start-incident';
import { parseConfig } from '../../domain/config';
import { ValidationError } from '../../domain/validation-error';
import { waitUntil } from '../../processes/wait-until';
import { FileSecretStore } from '../../secrets/file-secret-store';
import { migrate } from '../../store/migrations';
import { ACT_UPDATES, incidentQuery, timelineQuery } from '../../workflows/incident-definitions';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { logsIn } from '../support/postgres-login';
import { faultyProviders } from '../support/rotation-faults';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import { testCliUser, testSigningKey } from '../support/test-ballots';
import { startWorkers } from '../support/workers';

/**
 * leaked-secret on real components: the child credentialRotation re-passwords a real
 * PostgreSQL role through the real file store, consumers hear why in Slack (the recording
 * server), and the human tasks wait for a person's signed act.
 */
describe('leaked-secret playbook', () => {
  let fresh: FreshDatabase;
  let slack: SlackApiServer;
  const storeFile = join(mkdtempSync(join(tmpdir(), 'secops-leak-')), 'store.json');
  const storeKey = { key: randomBytes(32), keyId: 'test' };
  const role = `leak_${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    [fresh, slack] = await Promise.all([freshDatabase(), startSlackApiServer({ botToken: 'test-bot-token-leak', channels: [{ id: 'C0SHOP', name: 'shop', member: true }] })]);
    await migrate(fresh.db);
    await fresh.db.query(`CREATE ROLE ${role} LOGIN`);
  });
  afterAll(async () => {
    await fresh?.db.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await fresh?.drop();
    await slack?.close();
  });

  it('records where it leaked, rotates it, tells its consumers why, and waits for the removal to be confirmed', { timeout: 180_000 }, async () => {
    const store = new FileSecretStore({ file: storeFile, key: storeKey });
    const workers = await startWorkers(createActivities({
      docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: new WebClient('test-bot-token-leak', { slackApiUrl: slack.url }),
      credentials: faultyProviders({ store, adminUrl: fresh.url, fault: () => undefined }),
    }), ['control']);
    await workers.during(async () => {
      const config = parseConfig(`version: 1
taskQueues: { control: ${workers.taskQueues.control}, scanners: ${workers.taskQueues.scanners} }
credentials:
  - { id: shop-db, target: { provider: postgres-role, adminUrlEnv: UNUSED_IN_TESTS, strategy: single-user, role: ${role} }, secretStore: { provider: file, file: ${storeFile}, path: db/shop }, gracePeriod: 1s, consumersChannel: "#shop" }
approvals:
  incident.drill: { approvers: { cliUsers: [{ name: erin, publicKey: "${testCliUser('erin').publicKey}" }] } }
`);
      const trigger = { kind: 'cli' as const, by: 'cli:erin', at: new Date().toISOString() };
      expect(() => incidentInput(config, { playbook: 'leaked-secret', input: { credential: 'billing-db', where: 'x' }, trigger }, 'secops incident start')).toThrow(ValidationError);
      const input = incidentInput(config, { playbook: 'leaked-secret', input: { credential: 'shop-db', where: 'https://paste.example.test/a1' }, trigger, commander: 'cli:erin' }, 'test');
      const { incidentId, workflowId } = await startIncident(workers.client, config, input);
      const handle = workers.client.workflow.getHandle(workflowId);
      const act = <A extends 'completeTask' | 'resolve'>(action: A, args: Parameters<typeof signAct<A>>[1]['args']) =>
        handle.executeUpdate(ACT_UPDATES[action] as (typeof ACT_UPDATES)['completeTask'], { args: [signAct(testSigningKey('erin'), { incidentId, action, args, actor: 'cli:erin' }) as never] });

      await waitUntil('the access-log review task', async () => (await handle.query(incidentQuery)).openTasks.length === 1, 90_000);
      const texts = (await handle.query(timelineQuery)).map((e) => e.text);
      expect(texts).toEqual(expect.arrayContaining(['leaked at: https://paste.example.test/a1', 'rotate shop-db: done', 'tell its consumers: done']));
      expect((await handle.query(incidentQuery)).milestones.mitigated?.source).toBe('playbook');
      const current = JSON.parse((await store.getVersion('db/shop', 'CURRENT'))!.value) as { username: string; password: string };
      expect(await logsIn(fresh.url, current.username, current.password)).toBe(true);
      const told = slack.callsTo('chat.postMessage').find((c) => String(c.args.text).includes(`rotated because of incident ${incidentId}`));
      expect(told?.args.channel).toBe('#shop');

      const review = (await handle.query(incidentQuery)).openTasks[0]!;
      expect(review.title).toBe('Review the access logs of shop-db since the impact started, for use of the old secret');
      await act('completeTask', { taskId: review.taskId, outcome: 'done', note: 'only our app used it' });
      await waitUntil('the removal task', async () => (await handle.query(incidentQuery)).openTasks.some((t) => t.title.startsWith('Confirm the leaked copy is removed')), 30_000);
      const removal = (await handle.query(incidentQuery)).openTasks[0]!;
      await act('completeTask', { taskId: removal.taskId, outcome: 'done' });
      await waitUntil('the playbook finished', async () => (await handle.query(timelineQuery)).some((e) => e.text === 'playbook leaked-secret finished'), 30_000);
      await act('resolve', { summary: 'rotated, paste taken down' });
      expect(await handle.result()).toMatchObject({ incidentId, status: 'closed' });
    });
  });
});

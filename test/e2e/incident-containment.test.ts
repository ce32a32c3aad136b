import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { incidentInput, startIncident } from '../../client/start-incident';
import { parseConfig } from '../../domain/config';
import { waitUntil } from '../../processes/wait-until';
import { migrate } from '../../store/migrations';
import { incidentTimeline } from '../../store/incidents';
import { incidentQuery, timelineQuery } from '../../workflows/incident-definitions';
import { nextApproval } from '../support/approval-requests';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { ensureWapitiImage, WAPITI_BUILD_TIMEOUT_MS } from '../support/scanner-images';
import { testCliUser, voteOn } from '../support/test-ballots';
import { spawnEntry } from '../support/run-cli';
import { devServerClient, startWorkers, uniqueTaskQueues } from '../support/workers';

const RUN = randomBytes(4).toString('hex');
const TEST_LABELS = { 'secops-test': 'incident-containment' };

/**
 * The suspicious-container playbook on the real engine, through the incident workflow on
 * real workers and PostgreSQL: evidence first (its files' hashes on the timeline), isolation
 * only once approved, nothing touched when it is rejected.
 */
describe('suspicious-container playbook', () => {
  const docker = new Docker();
  const artifactsDir = mkdtempSync(join(tmpdir(), 'secops-incidents-'));
  let fresh: FreshDatabase;
  let image: string;
  let network: string;

  const config = (control: string) => parseConfig(`version: 1
taskQueues: { control: ${control}, scanners: ${control}-scanners }
artifactsDir: ${artifactsDir}
approvals:
  containment.isolate: { approvers: { cliUsers: [{ name: carol, publicKey: "${testCliUser('carol').publicKey}" }] }, fourEyes: false }
  containment.stop: { approvers: { cliUsers: [{ name: carol, publicKey: "${testCliUser('carol').publicKey}" }] }, fourEyes: false }
`);

  async function victim(name: string): Promise<Docker.ContainerInspectInfo> {
    const container = await docker.createContainer({
      name, Image: image, Entrypoint: ['/bin/sh', '-c'], Cmd: [`echo dropped > /tmp/implant; echo victim-${RUN}; sleep infinity & wait`],
      Labels: TEST_LABELS, HostConfig: { NetworkMode: network },
    });
    await container.start();
    await waitUntil(`${name} running`, async () => (await container.logs({ stdout: true })).toString('utf8').includes(`victim-${RUN}`), 30_000);
    return container.inspect();
  }

  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
    image = await ensureWapitiImage(docker);
    network = `secops-test-incident-${RUN}`;
    await docker.createNetwork({ Name: network, Internal: true, Labels: TEST_LABELS });
  }, WAPITI_BUILD_TIMEOUT_MS);
  afterAll(async () => {
    for (const info of await docker.listContainers({ all: true, filters: { label: ['secops-test=incident-containment'] } })) await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
    await docker.getNetwork(network).remove().catch(() => undefined);
    await fresh?.drop();
  });

  const activities = () => createActivities({ docker, store: { db: fresh.db, url: fresh.url }, slack: undefined, incidentArtifactsDir: join(artifactsDir, 'incidents') });

  it('collects evidence with its hashes on the timeline, isolates only once approved, and stops and keeps it after the second approval', { timeout: 180_000 }, async () => {
    const target = await victim(`secops-test-suspect-${RUN}`);
    const workers = await startWorkers(activities(), ['control']);
    await workers.during(async () => {
      const cfg = config(workers.taskQueues.control);
      const input = incidentInput(cfg, { playbook: 'suspicious-container', input: { container: target.Name.slice(1) }, trigger: { kind: 'cli', by: 'cli:dave', at: new Date().toISOString() }, commander: 'cli:dave' }, 'test');
      const { incidentId, workflowId } = await startIncident(workers.client, cfg, input);
      const handle = workers.client.workflow.getHandle(workflowId);

      const isolate = await nextApproval(handle, 'the isolation approval', (a) => a.action === 'containment.isolate');
      // Evidence came first, and the container is untouched while the approval waits.
      const evidence = (await handle.query(timelineQuery)).filter((e) => e.data?.sha256);
      expect(evidence.map((e) => e.text.split(':')[0])).toEqual(['evidence inspect', 'evidence logs', 'evidence changes', 'evidence processes', 'evidence filesystem']);
      for (const event of evidence) expect(createHash('sha256').update(readFileSync(event.data!.path!)).digest('hex')).toBe(event.data!.sha256);
      expect(readFileSync(evidence[1]!.data!.path!, 'utf8')).toContain(`victim-${RUN}`);
      expect(Object.keys((await docker.getContainer(target.Id).inspect()).NetworkSettings.Networks)).toEqual([network]);

      await voteOn(handle, { approvalId: isolate.approvalId, voter: 'cli:carol', vote: 'approve' });
      const stop = await nextApproval(handle, 'the stop approval', (a) => a.action === 'containment.stop');
      expect(Object.keys((await docker.getContainer(target.Id).inspect()).NetworkSettings.Networks)).toEqual([]);
      expect((await handle.query(incidentQuery)).milestones.mitigated?.source).toBe('playbook');

      await voteOn(handle, { approvalId: stop.approvalId, voter: 'cli:carol', vote: 'approve' });
      await waitUntil('the playbook finished', async () => (await handle.query(timelineQuery)).some((e) => e.text === 'playbook suspicious-container finished'), 60_000);
      const kept = await docker.getContainer(target.Id).inspect();
      expect(kept.State.Status).toBe('exited');
      expect(kept.Name).toMatch(/^\/secops-held\./);
      // The store catches up with the timeline the run shows (it is written in batches).
      const shown = (await handle.query(timelineQuery)).map((e) => e.text);
      await waitUntil('the store has the timeline', async () => (await incidentTimeline(fresh.db, incidentId)).length >= shown.length, 10_000);
      expect((await incidentTimeline(fresh.db, incidentId)).map((e) => e.text).slice(0, shown.length)).toEqual(shown);
    });
  });

  it('leaves the container untouched when the isolation is rejected', { timeout: 180_000 }, async () => {
    const target = await victim(`secops-test-spared-${RUN}`);
    const workers = await startWorkers(activities(), ['control']);
    await workers.during(async () => {
      const cfg = config(workers.taskQueues.control);
      const input = incidentInput(cfg, { playbook: 'suspicious-container', input: { container: target.Id }, trigger: { kind: 'cli', by: 'cli:dave', at: new Date().toISOString() }, commander: 'cli:dave' }, 'test');
      const { workflowId } = await startIncident(workers.client, cfg, input);
      const handle = workers.client.workflow.getHandle(workflowId);
      const isolate = await nextApproval(handle, 'the isolation approval', (a) => a.action === 'containment.isolate');
      await voteOn(handle, { approvalId: isolate.approvalId, voter: 'cli:carol', vote: 'reject', reason: 'it is the load test' });
      await waitUntil('the playbook finished', async () => (await handle.query(timelineQuery)).some((e) => e.text === 'playbook suspicious-container finished'), 60_000);
      const spared = await docker.getContainer(target.Id).inspect();
      expect(spared.State.Status).toBe('running');
      expect(Object.keys(spared.NetworkSettings.Networks)).toEqual([network]);
      expect((await handle.query(incidentQuery)).milestones.mitigated).toBeUndefined();
    });
  });

  it('kill -9 of the worker during the evidence: after a restart, one evidence set and one isolation', { timeout: 240_000 }, async () => {
    const target = await victim(`secops-test-killed-${RUN}`);
    const queues = uniqueTaskQueues();
    const configPath = join(artifactsDir, `config-${RUN}.yaml`);
    writeFileSync(configPath, `version: 1
taskQueues: { control: ${queues.control}, scanners: ${queues.scanners} }
artifactsDir: ${artifactsDir}
approvals:
  containment.isolate: { approvers: { cliUsers: [{ name: carol, publicKey: "${testCliUser('carol').publicKey}" }] }, fourEyes: false }
  containment.stop: { approvers: { cliUsers: [{ name: carol, publicKey: "${testCliUser('carol').publicKey}" }] }, fourEyes: false }
`);
    const env = { TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: fresh.url, SECOPS_CONFIG: configPath };
    const output: string[] = [];
    const startWorker = () => {
      const child = spawnEntry(['worker/main.ts'], env);
      child.stdout?.on('data', (chunk) => output.push(String(chunk)));
      child.stderr?.on('data', (chunk) => output.push(String(chunk)));
      return child;
    };
    const client = await devServerClient();
    try {
      const cfg = config(queues.control);
      const first = startWorker();
      const input = incidentInput(cfg, { playbook: 'suspicious-container', input: { container: target.Id }, trigger: { kind: 'cli', by: 'cli:dave', at: new Date().toISOString() }, commander: 'cli:dave' }, 'test');
      const { incidentId, workflowId } = await startIncident(client, cfg, input);
      const handle = client.workflow.getHandle(workflowId);
      // Killed while the filesystem export (the last and slowest evidence) is being taken.
      await waitUntil('the processes evidence', async () => (await handle.query(timelineQuery)).some((e) => e.text.startsWith('evidence processes')), 120_000);
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));

      const second = startWorker();
      try {
        const isolate = await nextApproval(handle, 'the isolation approval', (a) => a.action === 'containment.isolate');
        await voteOn(handle, { approvalId: isolate.approvalId, voter: 'cli:carol', vote: 'approve' });
        await nextApproval(handle, 'the stop approval', (a) => a.action === 'containment.stop');
        // The timeline reaches the store in batches written by an activity, so the worker must still run while we wait.
        await waitUntil('the store has the isolation', async () => (await incidentTimeline(fresh.db, incidentId)).some((e) => e.text.startsWith('isolation: ')), 60_000);
      } finally {
        second.kill('SIGTERM');
        await new Promise((resolve) => second.once('exit', resolve));
      }
      const timeline = await incidentTimeline(fresh.db, incidentId);
      expect(timeline.filter((e) => e.text.startsWith('evidence ')).map((e) => e.text.split(':')[0]), output.join('')).toEqual(['evidence inspect', 'evidence logs', 'evidence changes', 'evidence processes', 'evidence filesystem']);
      expect(readdirSync(join(artifactsDir, 'incidents', incidentId, 'evidence')).sort()).toEqual(['changes.json', 'filesystem.tar', 'inspect.json', 'logs.txt', 'processes.json']);
      expect(timeline.filter((e) => e.text.startsWith('isolation: '))).toHaveLength(1);
      expect(Object.keys((await docker.getContainer(target.Id).inspect()).NetworkSettings.Networks)).toEqual([]);
    } finally {
      await client.connection.close();
    }
  });
});

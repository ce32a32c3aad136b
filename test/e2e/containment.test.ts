import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainmentActivities, type EvidenceRef } from '../../activities/containment';
import { containerCreateOptions, LABELS } from '../../activities/scanners/container-spec';
import { reapOrphanContainers } from '../../activities/scanners/reaper';
import { runScanContainer } from '../../activities/scanners/run-container';
import { wapitiSpec } from '../../activities/scanners/wapiti';
import { parseConfig } from '../../domain/config';
import { waitUntil } from '../../processes/wait-until';
import { ensureWapitiImage, WAPITI_BUILD_TIMEOUT_MS } from '../support/scanner-images';

/**
 * Containment of real containers on the real engine. The victims run the Wapiti image (the
 * only one an offline engine has) with a shell instead of Wapiti, and send no traffic at all.
 * This engine (dockerd --bridge=none --iptables=false) has no default bridge but does create
 * user-defined bridge networks: the main victim is on an internal one made here, so isolating
 * it disconnects; the second victim runs with network mode none, so isolating it pauses.
 */
const RUN = randomUUID().slice(0, 8);
const TEST_LABELS = { 'secops-test': 'containment', 'secops-test.run': RUN };
/** The scanner containers' deployment here: no worker's label can equal it, so no other reaper touches them. */
const DEPLOYMENT = `containment.test/${RUN}`;
const INCIDENT = `INC-${RUN}`;
const DROPPED = `/tmp/dropped-${RUN}`;
const TERMINATED = `/tmp/terminated-${RUN}`;

const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('containment of a suspicious container on the real Docker Engine', () => {
  const docker = new Docker();
  const artifactRoot = mkdtempSync(join(tmpdir(), 'secops-containment-'));
  const containment = createContainmentActivities({ docker, artifactRoot });
  const servers: Server[] = [];
  let image: string;
  let network: string;
  let victim: Docker.ContainerInspectInfo;
  let frozen: Docker.ContainerInspectInfo;

  /**
   * A shell in the image that leaves a file and two log lines behind, then waits on `sleep
   * infinity`. Its TERM handler leaves a file and exits 0: a graceful stop would show.
   */
  async function startVictim(name: string, hostConfig: Docker.HostConfig, labels: Record<string, string> = {}): Promise<Docker.ContainerInspectInfo> {
    const container = await docker.createContainer({
      name,
      Image: image,
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: [`trap 'echo ran > ${TERMINATED}; exit 0' TERM; echo payload > ${DROPPED}; echo marker-out-${RUN}; echo marker-err-${RUN} >&2; sleep infinity & wait`],
      Labels: { ...TEST_LABELS, ...labels },
      HostConfig: hostConfig,
    });
    await container.start();
    await waitUntil(`victim ${name} settled`, async () => {
      const top = (await container.top()) as { Processes: string[][] };
      const logs = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
      return top.Processes.some((process) => process.join(' ').includes('sleep infinity')) && logs.includes(`marker-err-${RUN}`);
    }, 30_000);
    return container.inspect();
  }

  beforeAll(async () => {
    image = await ensureWapitiImage(docker);
    network = `secops-test-containment-${RUN}`;
    // Internal: even the victims of this test get no route off the host.
    await docker.createNetwork({ Name: network, Internal: true, Labels: TEST_LABELS });
    victim = await startVictim(`secops-test-victim-${RUN}`, { NetworkMode: network, RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } });
    frozen = await startVictim(`secops-test-frozen-${RUN}`, { NetworkMode: 'none' });
  }, WAPITI_BUILD_TIMEOUT_MS);

  afterAll(async () => {
    servers.forEach((server) => server.closeAllConnections());
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    const leftovers = [
      ...(await docker.listContainers({ all: true, filters: { label: Object.entries(TEST_LABELS).map(([k, v]) => `${k}=${v}`) } })),
      ...(await docker.listContainers({ all: true, filters: { label: [`${LABELS.deployment}=${DEPLOYMENT}`] } })),
    ];
    await Promise.all(leftovers.map((info) => docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined)));
    await docker.getNetwork(network).remove().catch(() => undefined);
    rmSync(artifactRoot, { recursive: true, force: true });
  });

  const evidenceOf = (incidentId: string) => ({ incidentId, containerId: victim.Id });

  it('resolves a name or a long enough id prefix to the full id, and refuses what names nothing for sure', async () => {
    expect(await containment.findContainer(`secops-test-victim-${RUN}`)).toEqual({ id: victim.Id, name: `secops-test-victim-${RUN}`, scanner: false });
    expect((await containment.findContainer(victim.Id.slice(0, 12))).id).toBe(victim.Id);

    const missing = containment.findContainer(`secops-test-missing-${RUN}`);
    await expect(missing).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(missing).rejects.toMatchObject({ type: 'ContainerNotFound', nonRetryable: true, message: expect.stringContaining(`secops-test-missing-${RUN}`) });
    await expect(containment.findContainer(victim.Id.slice(0, 4))).rejects.toMatchObject({ type: 'ContainerRefAmbiguous', nonRetryable: true });
    // Would address /images/json if it reached the engine's URL as it is.
    await expect(containment.findContainer('../images/json')).rejects.toMatchObject({ type: 'InvalidContainmentInput', nonRetryable: true });
  });

  it('collects each kind of evidence into one file whose hash is the one returned', async () => {
    const heartbeats: unknown[] = [];
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const refs: EvidenceRef[] = [
      await containment.collectInspectEvidence(evidenceOf(INCIDENT)),
      await containment.collectLogsEvidence(evidenceOf(INCIDENT)),
      await containment.collectChangesEvidence(evidenceOf(INCIDENT)),
      await containment.collectProcessesEvidence(evidenceOf(INCIDENT)),
      await env.run(containment.collectFilesystemEvidence, evidenceOf(INCIDENT)),
    ];
    const evidenceDir = join(artifactRoot, INCIDENT, 'evidence');
    expect(refs.map((ref) => [ref.kind, ref.path])).toEqual([
      ['inspect', join(evidenceDir, 'inspect.json')],
      ['logs', join(evidenceDir, 'logs.txt')],
      ['changes', join(evidenceDir, 'changes.json')],
      ['processes', join(evidenceDir, 'processes.json')],
      ['filesystem', join(evidenceDir, 'filesystem.tar')],
    ]);
    for (const ref of refs) {
      expect(sha256Of(ref.path)).toBe(ref.sha256);
      expect(statSync(ref.path).size).toBe(ref.bytes);
      expect(modeOf(ref.path)).toBe(0o600);
    }
    expect(modeOf(evidenceDir)).toBe(0o700);
    expect(modeOf(dirname(evidenceDir))).toBe(0o700);
    expect(readdirSync(evidenceDir).sort()).toEqual(['changes.json', 'filesystem.tar', 'inspect.json', 'logs.txt', 'processes.json']);
    expect(readdirSync(join(artifactRoot, INCIDENT, '.partial'))).toEqual([]);

    const [inspect, logs, changes, processes, filesystem] = refs.map((ref) => ref.path) as [string, string, string, string, string];
    expect((JSON.parse(readFileSync(inspect, 'utf8')) as Docker.ContainerInspectInfo).Id).toBe(victim.Id);
    const logText = readFileSync(logs, 'utf8');
    expect(logText).toMatch(new RegExp(`^stdout \\d{4}-\\d\\d-\\d\\dT\\S+ marker-out-${RUN}$`, 'm'));
    expect(logText).toMatch(new RegExp(`^stderr \\d{4}-\\d\\d-\\d\\dT\\S+ marker-err-${RUN}$`, 'm'));
    expect(logText).not.toContain('truncated');
    // Kind 1: added against the image.
    expect(JSON.parse(readFileSync(changes, 'utf8'))).toContainEqual({ Path: DROPPED, Kind: 1 });
    const top = JSON.parse(readFileSync(processes, 'utf8')) as { running: boolean; Processes: string[][] };
    expect(top.running).toBe(true);
    expect(top.Processes.map((process) => process.join(' '))).toContainEqual(expect.stringContaining('sleep infinity'));
    const listing = execFileSync('tar', ['-tf', filesystem], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n');
    expect(listing).toContain(DROPPED.slice(1));
    expect(heartbeats.length).toBeGreaterThan(0);
    expect(heartbeats.at(-1)).toEqual({ bytes: refs[4]!.bytes });

    // The container changes after the capture; the capture of record does not.
    const exec = await docker.getContainer(victim.Id).exec({ Cmd: ['sh', '-c', `echo later > /tmp/later-${RUN}; echo later-line-${RUN}`] });
    await exec.start({ Detach: true });
    await waitUntil('the later file', async () => ((await docker.getContainer(victim.Id).changes()) as { Path: string }[]).some((c) => c.Path === `/tmp/later-${RUN}`), 10_000);
    const mtimes = refs.map((ref) => statSync(ref.path).mtimeMs);
    const again = [
      await containment.collectInspectEvidence(evidenceOf(INCIDENT)),
      await containment.collectLogsEvidence(evidenceOf(INCIDENT)),
      await containment.collectChangesEvidence(evidenceOf(INCIDENT)),
      await containment.collectProcessesEvidence(evidenceOf(INCIDENT)),
      await containment.collectFilesystemEvidence(evidenceOf(INCIDENT)),
    ];
    expect(again).toEqual(refs);
    expect(refs.map((ref) => statSync(ref.path).mtimeMs)).toEqual(mtimes);
    expect(readFileSync(changes, 'utf8')).not.toContain(`later-${RUN}`);
    expect(readdirSync(evidenceDir)).toHaveLength(5);
  }, 120_000);

  it('keeps the first and last of the logs past the cap, and says what it left out', async () => {
    const capped = createContainmentActivities({ docker, artifactRoot, logsCapBytes: 40 });
    const ref = await capped.collectLogsEvidence(evidenceOf(`${INCIDENT}-capped`));
    const text = readFileSync(ref.path, 'utf8');
    const [header, ...rest] = text.split('\n');
    expect(header).toContain(victim.Id);
    expect(text).toMatch(/# truncated: \d+ bytes of logs left out here; this file keeps the first 20 and the last 20 bytes/);
    // The first 20 bytes: a stream prefix and the start of the first line's timestamp; the
    // last 20: the last marker line whole (which of the two is last is the engine's to say).
    expect(rest.join('\n')).toMatch(/^std(out|err) 20/);
    expect(text).toMatch(new RegExp(`\n# truncated[^\n]*\nmarker-(out|err)-${RUN}\n$`));
    expect(sha256Of(ref.path)).toBe(ref.sha256);
  });

  it('makes no evidence of a container that does not exist', async () => {
    const incidentId = `${INCIDENT}-missing`;
    const collect = containment.collectInspectEvidence({ incidentId, containerId: `secops-test-missing-${RUN}` });
    await expect(collect).rejects.toMatchObject({ type: 'ContainerNotFound', nonRetryable: true });
    expect(existsSync(join(artifactRoot, incidentId))).toBe(false);
    await expect(containment.collectLogsEvidence({ incidentId: '../escape', containerId: victim.Id })).rejects.toMatchObject({ type: 'InvalidContainmentInput' });
    expect(existsSync(join(artifactRoot, '..', 'escape'))).toBe(false);
  });

  it('disconnects a victim on a user network from it and leaves it running, the same way twice', async () => {
    expect(Object.keys((await docker.getContainer(victim.Id).inspect()).NetworkSettings.Networks)).toEqual([network]);
    expect(await containment.isolateContainer({ containerId: victim.Id })).toEqual({ action: 'disconnected', networks: [network] });
    const after = await docker.getContainer(victim.Id).inspect();
    expect(after.NetworkSettings.Networks).toEqual({});
    expect(after.State).toMatchObject({ Running: true, Paused: false });
    expect(await containment.isolateContainer({ containerId: victim.Id })).toEqual({ action: 'disconnected', networks: [network] });
  });

  it('pauses a victim it cannot unplug (network mode none), the same way twice', async () => {
    expect(await containment.isolateContainer({ containerId: frozen.Id })).toEqual({ action: 'paused' });
    expect((await docker.getContainer(frozen.Id).inspect()).State).toMatchObject({ Status: 'paused', Paused: true });
    expect(await containment.isolateContainer({ containerId: frozen.Id })).toEqual({ action: 'paused' });
  });

  it('stops a victim and keeps it, held, never to be restarted, the same way twice', async () => {
    const heldAs = `secops-held.${INCIDENT}.${victim.Id.slice(0, 12)}`;
    const kept = { containerId: victim.Id, heldAs, status: 'exited' };
    expect(await containment.stopAndKeepContainer({ containerId: victim.Id, incidentId: INCIDENT })).toEqual(kept);
    const after = await docker.getContainer(victim.Id).inspect();
    expect(after.State.Status).toBe('exited');
    // 137: SIGKILL. The victim's TERM handler never ran: it would have exited 0 and left its file.
    expect(after.State.ExitCode).toBe(137);
    expect(((await docker.getContainer(victim.Id).changes()) as { Path: string }[]).map((change) => change.Path)).not.toContain(TERMINATED);
    expect(after.Name).toBe(`/${heldAs}`);
    expect(after.HostConfig.RestartPolicy?.Name).toBe('no');
    expect(await containment.stopAndKeepContainer({ containerId: victim.Id, incidentId: INCIDENT })).toEqual(kept);
    expect(await containment.stopAndKeepContainer({ containerId: frozen.Id, incidentId: INCIDENT })).toMatchObject({ status: 'exited' });

    // Of a stopped container, the processes evidence records that nothing ran.
    const processes = await containment.collectProcessesEvidence({ incidentId: `${INCIDENT}-later`, containerId: victim.Id });
    expect(JSON.parse(readFileSync(processes.path, 'utf8'))).toMatchObject({ running: false, state: { Status: 'exited' } });
    await expect(containment.stopAndKeepContainer({ containerId: `secops-test-missing-${RUN}`, incidentId: INCIDENT })).rejects.toMatchObject({ type: 'ContainerNotFound', nonRetryable: true });
  });

  it('refuses to stop a container the engine would delete on stopping (--rm), and leaves it running', async () => {
    const doomed = await startVictim(`secops-test-autoremove-${RUN}`, { NetworkMode: 'none', AutoRemove: true });
    await expect(containment.stopAndKeepContainer({ containerId: doomed.Id, incidentId: INCIDENT })).rejects.toMatchObject({ type: 'ContainerAutoRemoves', nonRetryable: true });
    expect((await docker.getContainer(doomed.Id).inspect()).State.Running).toBe(true);
  });

  /** A leftover scanner container of this file's deployment, as a dead worker leaves one. */
  async function scannerLeftover(): Promise<string> {
    const target = parseConfig('version: 1\ntargets:\n  - id: t\n    url: http://127.0.0.1:9/\n    engine: wapiti\n    scope: { hosts: [127.0.0.1] }\n').targets[0]!;
    const spec = wapitiSpec({
      target,
      image,
      workDir: join(artifactRoot, 'scan', randomUUID()),
      labels: { deployment: DEPLOYMENT, workflowId: `test-${randomUUID()}`, runId: randomUUID(), activityId: '1' },
      hostUser: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
    });
    const options = containerCreateOptions(spec);
    const container = await docker.createContainer({ ...options, Entrypoint: ['sleep', 'infinity'], Cmd: [], HostConfig: { ...options.HostConfig, NetworkMode: 'none', Binds: [] } });
    await container.start();
    return container.id;
  }

  it('keeps a held scanner container from the reaper, which still reaps the one not held', async () => {
    const [suspect, orphan] = [await scannerLeftover(), await scannerLeftover()];
    expect(await containment.findContainer(suspect)).toMatchObject({ id: suspect, scanner: true });
    await containment.stopAndKeepContainer({ containerId: suspect, incidentId: INCIDENT });
    const reaped = await reapOrphanContainers(docker, DEPLOYMENT);
    expect(reaped.map((container) => container.id)).toEqual([orphan]);
    expect((await docker.getContainer(suspect).inspect()).State.Status).toBe('exited');
  });

  it('keeps a scanner container held mid-scan from its own run\'s cleanup', async () => {
    // Never answers: the scan runs until the hold's SIGKILL ends it. Loopback only.
    const tarpit = createServer(() => undefined);
    servers.push(tarpit);
    await new Promise<void>((resolve) => tarpit.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(tarpit.address() as AddressInfo).port}/`;
    const target = parseConfig(`version: 1\ntargets:\n  - id: t\n    url: ${url}\n    engine: wapiti\n    scope: { hosts: [127.0.0.1] }\n    maxScanMinutes: 1\n`).targets[0]!;
    const workflowId = `test-${randomUUID()}`;
    const spec = wapitiSpec({
      target,
      image,
      workDir: join(mkdtempSync(join(tmpdir(), 'secops-containment-scan-')), 'wapiti'),
      labels: { deployment: DEPLOYMENT, workflowId, runId: randomUUID(), activityId: '1' },
      hostUser: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
    });
    let held: Promise<unknown> | undefined;
    let heldId: string | undefined;
    const result = await runScanContainer(docker, spec, {
      heartbeat: () => undefined,
      cancelled: new AbortController().signal,
      // The scanner's first line: its container is running the scan.
      log: () => {
        held ??= docker.listContainers({ filters: { label: [`${LABELS.workflowId}=${workflowId}`] } }).then(([info]) => {
          heldId = info!.Id;
          return containment.stopAndKeepContainer({ containerId: info!.Id, incidentId: INCIDENT });
        });
      },
    }, async () => []);
    await held;
    rmSync(dirname(spec.workDir), { recursive: true, force: true });
    expect(result).toMatchObject({ exitCode: 137, timedOut: false });
    const after = await docker.getContainer(heldId!).inspect();
    expect(after.State.Status).toBe('exited');
    expect(after.Name).toBe(`/secops-held.${INCIDENT}.${heldId!.slice(0, 12)}`);
  }, 60_000);
});

import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerCreateOptions, LABELS, type ScanContainerSpec } from '../../activities/scanners/container-spec';
import { reapOrphanContainers } from '../../activities/scanners/reaper';
import { runScanContainer, type RunHooks } from '../../activities/scanners/run-container';
import { ScannerImageMissingError } from '../../activities/scanners/scanner-image';
import { wapitiSpec } from '../../activities/scanners/wapiti';
import { parseConfig } from '../../domain/config';
import { TargetRefusedError } from '../../activities/scanners/host-pins';
import { containerEventsOf, watchRemoval } from '../support/container-events';
import { ensureWapitiImage, WAPITI_BUILD_TIMEOUT_MS } from '../support/scanner-images';

const MEMORY_MB = 512;
/**
 * The deployment of every container this file starts: no worker's label (`address/namespace/
 * queue`) can equal it, so no worker of another test file reaps them mid-test.
 */
const DEPLOYMENT = `scanner-container.test/${randomUUID()}`;

/** A few vulnerable pages: reflected XSS, error-based SQL injection, open redirect, weak cookie. */
function vulnerableApp(): Server {
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const html = (body: string) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<html><body>${body}</body></html>`);
    };
    if (url.pathname === '/') {
      response.setHeader('set-cookie', 'session=abc123; Path=/');
      return html('<a href="/search?q=shoes">search</a> <a href="/item?id=1">item</a> <a href="/go?to=/">home</a>');
    }
    if (url.pathname === '/search') return html(`<p>Results for ${url.searchParams.get('q')}</p>`);
    if (url.pathname === '/item') {
      const id = url.searchParams.get('id') ?? '';
      return html(/['"]/.test(id) ? 'You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version' : `item ${id}`);
    }
    if (url.pathname === '/go') {
      response.writeHead(302, { location: encodeURI(url.searchParams.get('to') ?? '/') });
      return response.end();
    }
    response.statusCode = 404;
    response.end('not found');
  });
}

/** Answers every page after 3 s with links to more slow pages: a scan that does not end by itself. */
function tarpit(): Server {
  return createServer((request, response) => {
    const timer = setTimeout(() => {
      response.setHeader('content-type', 'text/html');
      response.end(Array.from({ length: 20 }, (_, i) => `<a href="/p${randomUUID()}?n=${i}">more</a>`).join(' '));
    }, 3_000);
    response.on('close', () => clearTimeout(timer));
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('scanner containers on the real Docker Engine', () => {
  const docker = new Docker();
  const servers: Server[] = [];
  const dirs: string[] = [];
  let image: string;
  let appUrl: string;
  let tarpitUrl: string;

  beforeAll(async () => {
    image = await ensureWapitiImage(docker);
    servers.push(vulnerableApp(), tarpit());
    appUrl = await listen(servers[0]!);
    tarpitUrl = await listen(servers[1]!);
  }, WAPITI_BUILD_TIMEOUT_MS);

  afterAll(async () => {
    servers.forEach((server) => server.closeAllConnections());
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  /** A Wapiti spec for `url` with ids unique to the test, and a fresh work dir. */
  function spec(url: string, maxScanMinutes = 1): ScanContainerSpec {
    const dir = mkdtempSync(join(tmpdir(), 'secops-scan-'));
    dirs.push(dir);
    const target = parseConfig(
      `version: 1\ntargets:\n  - id: t\n    url: ${url}\n    engine: wapiti\n    scope: { hosts: [127.0.0.1] }\n    maxScanMinutes: ${maxScanMinutes}\n    limits: { memoryMb: ${MEMORY_MB}, cpus: 1, pids: 128 }\n`,
    ).targets[0]!;
    return wapitiSpec({
      target,
      image,
      workDir: join(dir, 'wapiti'),
      labels: { deployment: DEPLOYMENT, workflowId: `test-${randomUUID()}`, runId: randomUUID(), activityId: '1' },
      hostUser: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
    });
  }

  /** The targets here are IP literals on loopback: checked by the config, nothing to resolve or pin. */
  const noPins = async (): Promise<string[]> => [];

  function hooks(overrides: Partial<RunHooks> = {}): RunHooks & { lines: string[] } {
    const lines: string[] = [];
    return { lines, heartbeat: () => undefined, log: (line) => lines.push(line), cancelled: new AbortController().signal, ...overrides };
  }

  async function containersOf(s: ScanContainerSpec): Promise<Docker.ContainerInfo[]> {
    return docker.listContainers({ all: true, filters: { label: [`${LABELS.workflowId}=${s.labels.workflowId}`] } });
  }

  /** A container of `s` that sleeps until removed, as one a dead worker leaves behind. */
  async function leftover(s: ScanContainerSpec): Promise<Docker.Container> {
    const container = await docker.createContainer({ ...containerCreateOptions(s), Entrypoint: ['python3', '-c', 'import time; time.sleep(600)'], Cmd: [] });
    await container.start();
    return container;
  }

  const stateOf = (container: Docker.Container) => container.inspect().then((info) => info.State.Status, () => 'gone');

  it('scans a loopback app with a read-only, capability-less, limited container and writes report.json', async () => {
    const s = spec(appUrl);
    let inspected: Promise<Docker.ContainerInspectInfo> | undefined;
    const heartbeats: number[] = [];
    const h = hooks({
      heartbeat: (progress) => {
        heartbeats.push(progress.elapsedSeconds);
        // The first heartbeat comes right after start: look at the running container then.
        inspected ??= containersOf(s).then(([info]) => docker.getContainer(info!.Id).inspect());
      },
    });
    const result = await runScanContainer(docker, s, h, noPins);
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(heartbeats.length).toBeGreaterThan(0);

    const info = await inspected!;
    expect(info.HostConfig).toMatchObject({
      NetworkMode: 'host',
      // An IP-literal target: nothing to pin.
      ExtraHosts: [],
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Memory: MEMORY_MB * 1024 * 1024,
      NanoCpus: 1_000_000_000,
      PidsLimit: 128,
    });
    expect(info.Config.Labels).toMatchObject({
      'secops.managed': 'true',
      'secops.deployment': DEPLOYMENT,
      'secops.workflow-id': s.labels.workflowId,
      'secops.run-id': s.labels.runId,
    });

    const report = JSON.parse(readFileSync(join(s.workDir, 'report.json'), 'utf8')) as { vulnerabilities: Record<string, unknown[]> };
    const found = Object.entries(report.vulnerabilities).filter(([, list]) => list.length > 0).map(([name]) => name);
    expect(found).toEqual(expect.arrayContaining(['Cross Site Scripting', 'SQL Injection', 'Open Redirect', 'HTTP Secure Headers', 'HttpOnly Flag cookie']));
    expect(h.lines.join('\n')).not.toContain('Downloading from the web');
    expect(await containersOf(s)).toEqual([]);
  }, 120_000);

  it('kills and removes the container when the run is cancelled', async () => {
    const s = spec(tarpitUrl);
    const removal = await watchRemoval(docker, `${LABELS.workflowId}=${s.labels.workflowId}`);
    try {
      const controller = new AbortController();
      let scanning: Promise<Docker.ContainerInfo[]> | undefined;
      const run = runScanContainer(docker, s, hooks({
        cancelled: controller.signal,
        log: () => {
          // The scanner's first line: it is running. Seen before the cancel, so the removal is of a started scan.
          scanning ??= containersOf(s);
          controller.abort();
        },
      }), noPins);
      await expect(run).rejects.toMatchObject({ name: 'AbortError' });
      const [seen] = (await scanning) ?? [];
      expect(await removal.removed).toBe(seen?.Id);
      expect(await containersOf(s)).toEqual([]);
    } finally {
      removal.close();
    }
  }, 60_000);

  it('kills a scan that runs past maxSeconds: no report, and no container left', async () => {
    // The tarpit never lets Wapiti finish its crawl on its own within this test.
    const s = { ...spec(tarpitUrl), maxSeconds: 3 };
    const result = await runScanContainer(docker, s, hooks(), noPins);
    // 137 = 128 + SIGKILL: the container was killed, it did not exit by itself.
    expect(result).toMatchObject({ timedOut: true, exitCode: 137 });
    expect(existsSync(join(s.workDir, 'report.json'))).toBe(false);
    expect(await containersOf(s)).toEqual([]);
  }, 60_000);

  it('reaps the orphans of its own deployment and leaves another deployment\'s containers running', async () => {
    const [own, other] = [spec(appUrl), spec(appUrl)];
    const foreign = { ...other, labels: { ...other.labels, deployment: `${DEPLOYMENT}/other` } };
    const [ownLeftover, foreignContainer] = await Promise.all([leftover(own), leftover(foreign)]);
    try {
      // No run of this file's deployment is active: as a worker that just started would judge it.
      const reaped = await reapOrphanContainers(docker, DEPLOYMENT);
      expect(reaped).toEqual([expect.objectContaining({ id: ownLeftover.id, workflowId: own.labels.workflowId, runId: own.labels.runId, activityId: '1' })]);
      expect(await stateOf(ownLeftover)).toBe('gone');
      expect(await stateOf(foreignContainer)).toBe('running');
      expect((await containersOf(foreign))[0]?.Labels).toMatchObject({ [LABELS.deployment]: `${DEPLOYMENT}/other` });
    } finally {
      await foreignContainer.remove({ force: true }).catch(() => undefined);
    }
  }, 60_000);

  it('leaves the containers of runs still active to them', async () => {
    const [orphan, active] = [spec(appUrl), spec(appUrl)];
    const [orphanContainer, activeContainer] = await Promise.all([leftover(orphan), leftover(active)]);
    try {
      const reaped = await reapOrphanContainers(docker, DEPLOYMENT, async (ids) => ids.workflowId === active.labels.workflowId);
      expect(reaped.map((c) => c.id)).toEqual([orphanContainer.id]);
      expect(await stateOf(activeContainer)).toBe('running');
    } finally {
      await activeContainer.remove({ force: true }).catch(() => undefined);
    }
  }, 60_000);

  it('creates nothing when the check right before the container refuses the target\'s addresses', async () => {
    const s = spec(appUrl);
    const since = new Date();
    const refusal = new TargetRefusedError('shop.example.test resolves to link-local/metadata address 169.254.169.254; set scope.allowLinkLocal to scan it');
    await expect(runScanContainer(docker, s, hooks(), async () => Promise.reject(refusal))).rejects.toBe(refusal);
    expect(await containerEventsOf(docker, s.labels.workflowId, since)).toEqual([]);
    expect(existsSync(s.workDir)).toBe(false);
  });

  it('says how to build a missing image instead of pulling a local name', async () => {
    const s = { ...spec(appUrl), image: `secops-test/missing-${randomUUID().slice(0, 8)}:latest` };
    const run = runScanContainer(docker, s, hooks(), noPins);
    await expect(run).rejects.toBeInstanceOf(ScannerImageMissingError);
    await expect(run).rejects.toThrow(/secops scanners build.*bash scanners\/wapiti\/build\.sh/);
    expect(existsSync(s.workDir)).toBe(false);
  });

  it('reports a failed pull with the way to get the image', async () => {
    const missing = 'localhost:1/secops-missing:latest';
    const s: ScanContainerSpec = { ...spec(appUrl), image: missing, imageSource: { pullable: true, howToGet: `docker load -i missing.tar` } };
    await expect(runScanContainer(docker, s, hooks(), noPins)).rejects.toThrow(/not in the Docker Engine and pulling it failed .*: docker load -i missing\.tar/);
  });
});

import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type Activities } from '../../activities';
import { createTargetAddressActivities } from '../../activities/scanners/check-target-addresses';
import type { ResolveHost } from '../../activities/scanners/resolve-host';
import { createRunScannerActivities } from '../../activities/scanners/run-scanner';
import { parseConfig, type Config } from '../../domain/config';
import { dastScanInput, type DastScanResult } from '../../domain/dast';
import { migrate } from '../../store/migrations';
import { containerEventsOf, inspectWhenCreated } from '../support/container-events';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { ensureWapitiImage, WAPITI_BUILD_TIMEOUT_MS } from '../support/scanner-images';
import { uniqueTargetId } from '../support/slack-app-harness';
import { startWorkers } from '../support/workers';
import { dastScan } from '../../workflows/dast-scan';

/** A name no real resolver knows (.invalid, RFC 6761): only the test's resolver and the pin give it an address. */
const NAME = 'rebound.secops-test.invalid';
const METADATA_ADDRESS = '169.254.169.254';

/**
 * DNS as a rebinding attacker runs it: each lookup of the name gets the next scripted answer
 * (the last one repeats). The workflow's early check is the first lookup, the scanner
 * activity's check right before its container the second.
 */
function scriptedResolver(...answers: string[][]): { resolve: ResolveHost; lookups: string[] } {
  const lookups: string[] = [];
  const resolve: ResolveHost = async (host) => {
    lookups.push(host);
    return answers[Math.min(lookups.length, answers.length) - 1]!;
  };
  return { resolve, lookups };
}

/** Records the Host header of every request: which name the scanner asked for, on which address it arrived. */
async function recordingSite(): Promise<{ server: Server; port: number; hosts: Set<string> }> {
  const hosts = new Set<string>();
  const server = createServer((request, response) => {
    hosts.add(request.headers.host ?? '');
    response.setHeader('content-type', 'text/html');
    response.end('<html><body><a href="/about">about</a></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hosts };
}

describe('a DNS answer that changes between the check and the scan', () => {
  const docker = new Docker();
  let fresh: FreshDatabase;
  let site: Awaited<ReturnType<typeof recordingSite>>;

  beforeAll(async () => {
    await ensureWapitiImage(docker);
    [fresh, site] = await Promise.all([freshDatabase(), recordingSite()]);
    await migrate(fresh.db);
  }, WAPITI_BUILD_TIMEOUT_MS);
  afterAll(async () => {
    site?.server.closeAllConnections();
    await new Promise((resolve) => site?.server.close(resolve));
    await fresh?.drop();
  });

  /** The real activities, with both resolver-based checks answering from `resolve`. */
  function activities(resolve: ResolveHost): Activities {
    return {
      ...createActivities({ docker, store: { db: fresh.db, url: fresh.url }, slack: undefined }),
      ...createTargetAddressActivities(resolve),
      ...createRunScannerActivities(docker, 'unnamed', resolve),
    };
  }

  /** A Wapiti target on the name, in scope with the loopback address the site listens on. */
  function configFor(targetId: string): Config {
    return parseConfig(`
version: 1
artifactsDir: ${mkdtempSync(join(tmpdir(), 'secops-dns-pinning-'))}
targets:
  - { id: ${targetId}, url: "http://${NAME}:${site.port}/", engine: wapiti, wapitiModules: [http_headers], scope: { hosts: [${NAME}, 127.0.0.1] }, maxScanMinutes: 1 }
`);
  }

  it('is refused right before the container when the answer turned forbidden: no container, the scan recorded as failed', { timeout: 120_000 }, async () => {
    const targetId = uniqueTargetId('dns-rebound');
    const config = configFor(targetId);
    const workflowId = `dast:${targetId}:1`;
    // Allowed for the workflow's check, the metadata service by the time the container is due.
    const dns = scriptedResolver(['127.0.0.1'], [METADATA_ADDRESS]);
    const since = new Date();
    const workers = await startWorkers(activities(dns.resolve));
    const error = await workers.during(async () => {
      const input = dastScanInput({ ...config, taskQueues: workers.taskQueues }, config.targets[0]!, 'cli:e2e');
      const handle = await workers.client.workflow.start(dastScan, { taskQueue: workers.taskQueues.control, workflowId, args: [input] });
      return handle.result().catch((e: unknown) => e);
    });

    expect(error).toBeInstanceOf(WorkflowFailedError);
    const refusal = `target ${targetId} refused: ${NAME} resolves to link-local/metadata address ${METADATA_ADDRESS}; set scope.allowLinkLocal to scan it`;
    expect(((error as WorkflowFailedError).cause?.cause as Error | undefined)?.message).toBe(refusal);
    // Both checks asked the resolver; the refusal is not retried into a third lookup.
    expect(dns.lookups).toEqual([NAME, NAME]);
    expect(await containerEventsOf(docker, workflowId, since)).toEqual([]);
    const { rows } = await fresh.db.query('SELECT status, error FROM scans WHERE id = $1', [workflowId]);
    expect(rows).toEqual([{ status: 'failed', error: expect.stringContaining(refusal) }]);
  });

  it('scans the checked address, pinned into the container, whatever DNS answers afterwards', { timeout: 180_000 }, async () => {
    const targetId = uniqueTargetId('dns-pinned');
    const config = configFor(targetId);
    const workflowId = `dast:${targetId}:1`;
    // Any lookup after the scanner's own check would get the metadata service.
    const dns = scriptedResolver(['127.0.0.1'], ['127.0.0.1'], [METADATA_ADDRESS]);
    const workers = await startWorkers(activities(dns.resolve));
    const { result, inspected } = await workers.during(async () => {
      const container = await inspectWhenCreated(docker, workflowId, 120_000);
      const input = dastScanInput({ ...config, taskQueues: workers.taskQueues }, config.targets[0]!, 'cli:e2e');
      const handle = await workers.client.workflow.start(dastScan, { taskQueue: workers.taskQueues.control, workflowId, args: [input] });
      return { inspected: await container.inspected, result: (await handle.result()) as DastScanResult };
    });

    expect(inspected.HostConfig.ExtraHosts).toEqual([`${NAME}:127.0.0.1`]);
    expect(dns.lookups).toEqual([NAME, NAME]);
    // The name resolves nowhere but in the pin: requests that arrived for it came through the pin.
    expect([...site.hosts]).toContain(`${NAME}:${site.port}`);
    expect(result.targetId).toBe(targetId);
  });
});

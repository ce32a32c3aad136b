import { lookup } from 'node:dns/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { parseConfig } from '../../domain/config';
import { dastScanInput } from '../../domain/dast';
import { migrate } from '../../store/migrations';
import { containerEventsOf } from '../support/container-events';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { uniqueTargetId } from '../support/slack-app-harness';
import { startWorkers } from '../support/workers';
import { dastScan } from '../../workflows/dast-scan';

/** scripts/setup.sh --test maps this name to the metadata address in /etc/hosts. */
const METADATA_NAME = 'metadata.secops-test.invalid';
const METADATA_ADDRESS = '169.254.169.254';

/**
 * README: link-local/metadata addresses are refused before any container exists "also when
 * a host name resolves to one". The name passes every check on the URL itself (it is in
 * scope and not an address); only the real resolver (dns.lookup → /etc/hosts) reveals it.
 */
describe('a host name that resolves to a metadata address', () => {
  const docker = new Docker();
  let fresh: FreshDatabase;

  beforeAll(async () => {
    const resolved = await lookup(METADATA_NAME, { all: true }).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`${METADATA_NAME} does not resolve (${error.code}): add "${METADATA_ADDRESS} ${METADATA_NAME}" to /etc/hosts (scripts/setup.sh --test does, as root)`);
    });
    if (!resolved.some((a) => a.address === METADATA_ADDRESS)) {
      throw new Error(`${METADATA_NAME} resolves to ${resolved.map((a) => a.address).join(', ')}, not ${METADATA_ADDRESS}: fix its /etc/hosts line`);
    }
    fresh = await freshDatabase();
    await migrate(fresh.db);
  });
  afterAll(() => fresh?.drop());

  it('is refused by the real DNS check before any container exists, naming the address', { timeout: 60_000 }, async () => {
    const targetId = uniqueTargetId('metadata-dns');
    const config = parseConfig(`
version: 1
artifactsDir: ${mkdtempSync(join(tmpdir(), 'secops-dns-'))}
scanners: { images: { zap: secops-flow/absent-in-tests:never, wapiti: secops-flow/absent-in-tests:never } }
targets:
  - { id: ${targetId}, url: "http://${METADATA_NAME}/latest/meta-data/", engine: wapiti, scope: { hosts: [${METADATA_NAME}] } }
`);
    // No scanner image: should the check ever regress, the scan fails at the image instead
    // of sending anything to the metadata address (the refusal message and the missing scan
    // row would still show the regression).
    const workflowId = `dast:${targetId}:1`;
    const since = new Date();
    const workers = await startWorkers(createActivities({ docker, store: { db: fresh.db, url: fresh.url }, slack: undefined }));
    const error = await workers.during(async () => {
      const input = dastScanInput({ ...config, taskQueues: workers.taskQueues }, config.targets[0]!, 'cli:e2e');
      const handle = await workers.client.workflow.start(dastScan, { taskQueue: workers.taskQueues.control, workflowId, args: [input] });
      return handle.result().catch((e: unknown) => e);
    });

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toBe(`target ${targetId} refused: ${METADATA_NAME} resolves to link-local/metadata address ${METADATA_ADDRESS}; set scope.allowLinkLocal to scan it`);
    expect(await containerEventsOf(docker, workflowId, since)).toEqual([]);
    // Refused before the scan is recorded: the store has no row for it.
    expect((await fresh.db.query('SELECT id FROM scans WHERE id = $1', [workflowId])).rows).toEqual([]);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { runDoctor } from '../../client/doctor';
import { parseConfig, type Config } from '../../domain/config';
import { parseEnvironment } from '../../domain/environment';
import type { CheckResult, PreflightReport } from '../../domain/preflight';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import { recordHistory } from '../support/histories';
import { startWorkers } from '../support/workers';
import { inject } from 'vitest';

const PRESENT_IMAGE = 'secops-test/preflight-present:latest';
const MISSING_IMAGE = 'secops-test/never-built:latest';

function row(report: PreflightReport, check: string): CheckResult {
  const found = report.checks.find((c) => c.check === check);
  if (!found) throw new Error(`no ${check} row in ${JSON.stringify(report)}`);
  return found;
}

/** A one-file image made locally with `docker import`, since no registry can be reached. */
async function importTinyImage(docker: Docker, name: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'secops-image-'));
  try {
    writeFileSync(join(dir, 'marker'), 'preflight test image\n');
    execFileSync('tar', ['-C', dir, '-cf', join(dir, 'rootfs.tar'), 'marker']);
    const [repo, tag] = name.split(':');
    const stream = await docker.importImage(join(dir, 'rootfs.tar'), { repo, tag });
    await new Promise((resolve, reject) => docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve(null))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('preflight through a real dev server, Docker Engine and PostgreSQL', () => {
  const docker = new Docker();
  let fresh: FreshDatabase;
  let slackApi: SlackApiServer;
  const env = parseEnvironment({ TEMPORAL_ADDRESS: inject('temporalAddress') });

  beforeAll(async () => {
    await docker.ping().catch((error: Error) => {
      throw new Error(`Docker Engine unreachable (${error.message}); run \`npm test\`, whose setup starts one`);
    });
    await importTinyImage(docker, PRESENT_IMAGE);
    fresh = await freshDatabase();
    slackApi = await startSlackApiServer({ botToken: 'test-bot-token-test-valid' });
  });
  afterAll(async () => {
    await fresh?.drop();
    await slackApi?.close();
    await docker.getImage(PRESENT_IMAGE).remove().catch(() => undefined);
  });

  function configFor(taskQueues: Config['taskQueues'], image: string): Config {
    const config = parseConfig(`version: 1\nscanners:\n  images: { zap: ${image}, wapiti: ${image} }\n`);
    return { ...config, taskQueues };
  }

  it('reports every check ok on a healthy stack, with the real Docker version', async () => {
    await migrate(fresh.db);
    const workers = await startWorkers(createActivities({
      docker,
      store: { db: fresh.db, url: fresh.url },
      slack: new WebClient('test-bot-token-test-valid', { slackApiUrl: slackApi.url }),
    }));
    const report = await workers.during(async () => {
      const result = await runDoctor(workers.client, env, configFor(workers.taskQueues, PRESENT_IMAGE));
      await recordHistory(workers.client, result.workflowId!);
      return result;
    });
    const version = await docker.version();

    expect(report.checks.map((c) => [c.check, c.status])).toEqual([
      ['temporal', 'ok'], ['control worker', 'ok'], ['scanners worker', 'ok'],
      ['docker', 'ok'], ['scanner images', 'ok'], ['store', 'ok'], ['slack', 'ok'],
    ]);
    expect(row(report, 'docker').detail).toContain(`Docker Engine ${version.Version} (API ${version.ApiVersion}`);
    expect(row(report, 'store').detail).toMatch(new RegExp(`^PostgreSQL \\d+\\.\\d+.* schema v${LATEST_SCHEMA_VERSION}$`));
    expect(row(report, 'store').detail).not.toContain(new URL(fresh.url).password);
    expect(row(report, 'slack').detail).toBe('connected to Acme Security as secops');
    expect(slackApi.callsTo('auth.test')).toContainEqual(expect.objectContaining({ problems: [] }));
    expect(report.status).toBe('ok');
  });

  it('reports an unreachable Docker Engine, a missing image, an unmigrated store and a rejected Slack token', async () => {
    const unmigrated = await freshDatabase();
    try {
      const workers = await startWorkers(createActivities({
        docker: new Docker({ socketPath: '/nonexistent/docker.sock' }),
        store: { db: unmigrated.db, url: unmigrated.url },
        slack: new WebClient('test-bot-token-test-revoked', { slackApiUrl: slackApi.url, retryConfig: { retries: 0 } }),
      }));
      const report = await workers.during(() => runDoctor(workers.client, env, configFor(workers.taskQueues, MISSING_IMAGE)));
      expect(row(report, 'docker')).toEqual({
        check: 'docker', status: 'failed',
        detail: 'Docker Engine unreachable at unix:///nonexistent/docker.sock (ENOENT): start dockerd or set DOCKER_HOST',
      });
      expect(row(report, 'store')).toMatchObject({ status: 'failed', detail: expect.stringContaining(`schema v0, ${MIGRATIONS.length} migration(s) pending (run secops store migrate)`) });
      expect(row(report, 'slack')).toMatchObject({ status: 'failed', detail: expect.stringContaining('invalid_auth') });
      expect(report.status).toBe('failed');
    } finally {
      await unmigrated.drop();
    }
  });

  it('warns about a scanner image that is not present', async () => {
    const workers = await startWorkers(createActivities({ docker, store: undefined, slack: undefined }));
    const report = await workers.during(() => runDoctor(workers.client, env, configFor(workers.taskQueues, MISSING_IMAGE)));
    expect(row(report, 'scanner images')).toEqual({ check: 'scanner images', status: 'warn', detail: `missing: ${MISSING_IMAGE} (pulled or built before the first scan)` });
    expect(row(report, 'store')).toEqual({ check: 'store', status: 'failed', detail: 'DATABASE_URL is not set (secops dev starts an embedded store)' });
    expect(row(report, 'slack')).toEqual({ check: 'slack', status: 'ok', detail: 'not configured: approvals through `secops approvals`' });
  });

  it('does not start the workflow when no control worker polls, and says so', async () => {
    const workers = await startWorkers(createActivities({ docker, store: undefined, slack: undefined }), ['scanners']);
    const report = await workers.during(() => runDoctor(workers.client, env, configFor(workers.taskQueues, PRESENT_IMAGE)));
    expect(report.checks.map((c) => [c.check, c.status, c.detail])).toEqual([
      ['temporal', 'ok', expect.stringContaining(inject('temporalAddress'))],
      ['control worker', 'failed', `no worker polls ${workers.taskQueues.control}`],
      ['scanners worker', 'ok', `1 poller(s) on ${workers.taskQueues.scanners}`],
      ['workflow checks', 'failed', 'not run: preflight needs a control worker'],
    ]);
  });
});

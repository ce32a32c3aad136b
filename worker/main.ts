import Docker from 'dockerode';
import { Client, Connection } from '@temporalio/client';
import { WebClient } from '@slack/web-api';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createActivities } from '../activities';
import { deploymentLabel } from '../activities/scanners/container-spec';
import { loadSettings } from '../client/config-file';
import { parseEnvironment } from '../domain/environment';
import { connectErrorReason, temporalConnectionOptions } from '../client/temporal-connection';
import { WORKER_ROLES, type WorkerRole } from '../domain/task-queues';
import { ValidationError } from '../domain/validation-error';
import { openDatabase } from '../store/database';
import { migrate } from '../store/migrations';
import { dataConverterFromEnv } from '../codec/data-converter';
import { runUrl } from '../domain/run-url';
import { createWorkers } from './create-workers';
import { reapFinishedRuns } from './reap-on-start';
import { syncSchedules } from '../client/schedules';
import { bundleWorkflows } from './workflow-bundle';

/**
 * Worker process: `worker/main.ts [--role control|scanners|all] [--sync-schedules]`. Configuration is read
 * and validated before anything connects; an invalid one starts nothing.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { role: { type: 'string', default: 'all' }, 'sync-schedules': { type: 'boolean', default: false } } });
  const roles = parseRoles(values.role ?? 'all');
  const env = parseEnvironment(process.env);
  const config = loadSettings(env);
  Runtime.install({ logger: new DefaultLogger(env.SECOPS_LOG_LEVEL) });

  const connection = await NativeConnection.connect(temporalConnectionOptions(env)).catch((error: unknown) => {
    throw new StartupError(`Temporal unreachable at ${env.TEMPORAL_ADDRESS}: ${connectErrorReason(error)}`);
  });
  const db = env.DATABASE_URL ? openDatabase(env.DATABASE_URL) : undefined;
  if (db && roles.includes('control')) {
    const applied = await migrate(db);
    if (applied.length > 0) console.log(`store: applied ${applied.map((m) => `${m.version}-${m.name}`).join(', ')}`);
  }

  const docker = new Docker();
  const dataConverter = dataConverterFromEnv(env);
  const client = new Client({ connection: await Connection.connect(temporalConnectionOptions(env)), namespace: env.TEMPORAL_NAMESPACE, dataConverter });
  if (roles.includes('scanners')) {
    // The label this worker's runScanner activities put on their containers: only those are its to judge.
    const deployment = deploymentLabel({ temporalAddress: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: config.taskQueues.scanners });
    const reaped = await reapFinishedRuns(docker, client, deployment).catch((error: unknown) => {
      console.warn(`reaper: skipped (${(error as Error).message})`);
      return [];
    });
    for (const container of reaped) console.log(`reaper: removed ${container.name} left by ${container.workflowId}`);
  }
  if (values['sync-schedules']) {
    const synced = await syncSchedules(client, config);
    console.log(`schedules: ${Object.entries(synced).map(([what, ids]) => `${ids.length} ${what}`).join(', ')}`);
  }
  await client.connection.close();

  const activities = createActivities({
    docker,
    store: db && env.DATABASE_URL ? { db, url: env.DATABASE_URL } : undefined,
    slack: env.SLACK_BOT_TOKEN ? new WebClient(env.SLACK_BOT_TOKEN, { slackApiUrl: env.SLACK_API_URL }) : undefined,
    slackChannel: config.slack?.channel,
    runUrl: (workflowId) => runUrl(env, workflowId),
    temporalAddress: env.TEMPORAL_ADDRESS,
    incidentArtifactsDir: join(config.artifactsDir, 'incidents'),
  });
  const workers = await createWorkers({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    roles,
    taskQueues: config.taskQueues,
    activities,
    workflowBundle: await bundleWorkflows(),
    dataConverter,
  });
  console.log(`worker: polling ${roles.map((r) => config.taskQueues[r]).join(', ')} on ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE})`);
  try {
    // Resolves once SIGINT/SIGTERM has drained every worker (the SDK installs those handlers).
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    await db?.end();
    await connection.close();
  }
  console.log('worker: stopped');
}

class StartupError extends Error {}

function parseRoles(value: string): WorkerRole[] {
  if (value === 'all') return [...WORKER_ROLES];
  const roles = value.split(',').map((r) => r.trim());
  const unknown = roles.filter((r) => !WORKER_ROLES.includes(r as WorkerRole));
  if (unknown.length > 0) throw new ValidationError('--role', [{ path: '', message: `unknown role(s) ${unknown.join(', ')}; use ${WORKER_ROLES.join(', ')} or all` }]);
  return roles as WorkerRole[];
}

main().catch((error: unknown) => {
  if (error instanceof ValidationError) {
    console.error(`error: ${error.message}`);
    process.exit(2);
  }
  console.error(`error: ${error instanceof StartupError ? error.message : (error as Error).stack ?? String(error)}`);
  process.exit(1);
});

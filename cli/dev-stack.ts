import { mkdirSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { Config } from '../domain/config';
import { DEV_SERVER_SEARCH_ATTRIBUTE_FLAGS } from '../domain/search-attributes';
import { parseEnvironment, slackConfigured, type Environment } from '../domain/environment';
import type { WorkerRole } from '../domain/task-queues';
import { startProcess, type ManagedProcess } from '../processes/child-process';
import { lockStateDir } from '../processes/state-dir-lock';
import { checkPollers } from '../client/check-pollers';
import { isPortFree } from '../processes/port';
import { startDevStore, type DevStore } from '../client/dev-store';
import { connectClient } from '../client/temporal-client';
import { projectPath, toolPath } from '../processes/tool-paths';
import { waitUntil } from '../processes/wait-until';

export interface DevStackOptions {
  port: number;
  uiPort: number;
  stateDir: string;
  config: Config;
  log: (line: string) => void;
}

export interface DevStack {
  env: Environment;
  client: Client;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * `secops dev`: the local stack in one process tree — Temporal dev server (persistent),
 * the embedded store unless DATABASE_URL is set, both worker roles, and the Slack app
 * when tokens are set. `stop()` stops exactly what was started here.
 */
export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const { port, uiPort, stateDir, log } = options;
  for (const p of [port, uiPort]) {
    if (!(await isPortFree(p))) throw new Error(`port ${p} is in use (another Temporal server?); choose others with --port / --ui-port`);
  }
  mkdirSync(stateDir, { recursive: true });
  const lock = lockStateDir(stateDir);
  const processes: ManagedProcess[] = [];
  let store: DevStore | undefined;
  const stop = async () => {
    for (const managed of [...processes].reverse()) await managed.stop();
    await store?.stop();
    lock.release();
  };

  try {
    const temporal = startProcess('temporal', toolPath('temporal'), [
      'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort),
      '--db-filename', `${stateDir}/temporal.db`, '--log-level', 'error', ...DEV_SERVER_SEARCH_ATTRIBUTE_FLAGS,
    ], { log });
    processes.push(temporal);
    // Children log warnings and errors only, unless the user asked for more.
    const baseEnv: NodeJS.ProcessEnv = { SECOPS_LOG_LEVEL: 'WARN', ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_UI_URL: `http://127.0.0.1:${uiPort}` };
    await waitUntil('Temporal dev server', async () => {
      const probe = await connectClient(parseEnvironment(baseEnv));
      await probe.connection.close();
      return true;
    }, 60_000, temporal.exited);
    log(`Temporal dev server on 127.0.0.1:${port} (history in ${stateDir}/temporal.db)`);

    if (!baseEnv.DATABASE_URL) {
      store = await startDevStore(stateDir);
      baseEnv.DATABASE_URL = store.url;
      log(`embedded store (PGlite) in ${stateDir}/store, served on ${new URL(store.url).host}`);
    }
    const env = parseEnvironment(baseEnv);
    const client = await connectClient(env);

    const worker = startProcess('worker', process.execPath, ['--import', 'tsx', projectPath('worker', 'main.ts')], { env: baseEnv, log });
    processes.push(worker);
    await waitUntil('workers', async () => {
      const results = await Promise.all((['control', 'scanners'] as WorkerRole[]).map((role) => checkPollers(client, env, options.config.taskQueues[role], role, 0)));
      return results.every((r) => r.status === 'ok');
    }, 90_000, worker.exited);

    if (slackConfigured(env)) {
      processes.push(startProcess('slack', process.execPath, ['--import', 'tsx', projectPath('slack-app', 'main.ts')], { env: baseEnv, log }));
      log(env.SLACK_SOCKET_MODE ? 'Slack app in Socket Mode' : `Slack app on http://127.0.0.1:${env.SLACK_PORT}/slack/events`);
    } else {
      log('Slack not configured (SLACK_BOT_TOKEN unset): approvals through `secops approvals`');
    }
    return { env, client, uiUrl: `http://127.0.0.1:${uiPort}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

import { connectClient } from '../client/temporal-client';
import { loadSettings } from '../client/config-file';
import { parseEnvironment } from '../domain/environment';
import { openStore } from '../client/store';
import { createSlackApp } from './app';

/**
 * The Slack app process. It holds no state (Temporal and the store do), so it can be
 * stopped and restarted at any time: a pending approval's buttons work with the next process.
 */
async function main(): Promise<void> {
  const env = parseEnvironment(process.env);
  const config = loadSettings(env);
  const client = await connectClient(env);
  const db = env.DATABASE_URL ? openStore(env.DATABASE_URL) : undefined;
  const app = createSlackApp({ env, config, client, db });
  await app.start(env.SLACK_PORT);
  console.log(env.SLACK_SOCKET_MODE ? 'slack app: Socket Mode connected' : `slack app: listening on :${env.SLACK_PORT}/slack/events`);
  const stop = () =>
    void (async () => {
      await app.stop();
      await db?.end();
      await client.connection.close();
      process.exit(0);
    })();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

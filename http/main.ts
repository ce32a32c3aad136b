import { loadSettings } from '../client/config-file';
import { PlatformUnavailableError } from '../client/platform-unavailable';
import { StoreUnreachableError, openStore } from '../client/store';
import { storeUrl } from '../client/store-url';
import { connectClient } from '../client/temporal-client';
import { parseEnvironment } from '../domain/environment';
import { redactUrl } from '../domain/redact-url';
import { ValidationError } from '../domain/validation-error';
import { incidentIntake } from './incident-intake';
import { createHttpServer } from './server';
import { httpSettings } from './settings';

/**
 * The alert webhooks process (`secops http`, or `node dist/http/main.js` in the image):
 * authenticated alerts in, kept in the store's outbox, then sent to their incidents' runs
 * through Temporal; the store also remembers the deliveries already seen. It holds no state
 * of its own, so it can be restarted at any time: what it took in and had not sent waits in
 * the outbox for the next one, Alertmanager retries what failed meanwhile, and
 * signal-with-start finds the open incidents.
 * Everything is checked before it listens; the exit codes are the CLI's.
 */
async function main(): Promise<void> {
  const env = parseEnvironment(process.env);
  const config = loadSettings(env);
  const { host, port, ...server } = httpSettings(env, config);
  if (!server.alertmanagerToken && server.webhookSecrets.length === 0) {
    throw new ValidationError('environment', [{ path: 'SECOPS_ALERTMANAGER_TOKEN, SECOPS_WEBHOOK_SECRETS', message: 'neither is set: there would be no webhook to serve' }]);
  }
  const url = storeUrl(env);
  const db = openStore(url);
  await db.query('SELECT 1').catch(async (error: unknown) => {
    await db.end();
    throw new StoreUnreachableError(`store unreachable at ${redactUrl(url)}: ${(error as Error).message}`);
  });
  const client = await connectClient(env).catch(async (error: unknown) => {
    await db.end();
    throw error;
  });
  const app = createHttpServer({ ...server, intake: incidentIntake({ client, config, db, log: (line) => console.error(line) }), logger: (line) => console.error(line) });
  await app.listen({ host, port });
  const hooks = [server.alertmanagerToken && 'POST /hooks/alertmanager', server.webhookSecrets.length > 0 && 'POST /hooks/events'].filter(Boolean);
  console.log(`http: listening on http://${host}:${port} (${hooks.join(', ')}; GET /healthz)`);

  const stop = async () => {
    // Requests in flight are answered first: an alert half taken in is either accepted or refused,
    // never dropped. Closing also stops the dispatcher once it has sent what it holds.
    await app.close();
    await db.end();
    await client.connection.close();
    console.log('http: stopped');
  };
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof ValidationError ? 2 : error instanceof PlatformUnavailableError ? 3 : 1);
});

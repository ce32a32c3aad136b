import { App, LogLevel } from '@slack/bolt';
import { parseEnvironment } from '../domain/environment';

/**
 * The Slack app process. It holds no state (Temporal and the store do), so it can be
 * restarted at any time. Commands and approvals arrive with the approvals issue; this
 * entry already serves signed requests over HTTP or Socket Mode, chosen by environment.
 */
async function main(): Promise<void> {
  const env = parseEnvironment(process.env);
  if (!env.SLACK_BOT_TOKEN || !env.SLACK_SIGNING_SECRET) throw new Error('SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are required');
  const app = new App({
    token: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    socketMode: env.SLACK_SOCKET_MODE,
    appToken: env.SLACK_APP_TOKEN,
    logLevel: LogLevel.WARN,
    clientOptions: env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : undefined,
  });
  app.command('/secops', async ({ ack }) => {
    await ack({ response_type: 'ephemeral', text: 'Usage: /secops help — more commands arrive with approvals, scans and incidents.' });
  });
  await app.start(env.SLACK_PORT);
  console.log(env.SLACK_SOCKET_MODE ? 'slack app: Socket Mode connected' : `slack app: listening on :${env.SLACK_PORT}/slack/events`);
  const stop = () => void app.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Client } from '@temporalio/client';
import type { Config } from '../domain/config';
import type { Environment } from '../domain/environment';
import { frontEndSigner, slackAppKeySource } from '../client/signing-key-file';
import type { Store } from '../client/store';
import { registerAppHome } from './handlers/app-home';
import { guardSlackRequests } from './request-guard';
import { registerApprovalButtons } from './handlers/approval-buttons';
import { registerIncidentButtons } from './handlers/incident-buttons';
import { registerIncidentPicker } from './handlers/incident-picker';
import { registerIncidentSubmission } from './handlers/incident-submission';
import { registerPinnedMessages } from './handlers/pinned-message';
import { registerRejectSubmission } from './handlers/reject-submission';
import { registerSecopsCommand } from './handlers/secops-command';
import { registerTriageButtons } from './handlers/triage-buttons';
import { registerTriageSubmissions } from './handlers/triage-submissions';

export interface SlackAppOptions {
  env: Environment;
  config: Config;
  client: Client;
  db?: Store;
  /** HTTP (Bolt verifies each request's signature at /slack/events) or Socket Mode; SLACK_SOCKET_MODE by default. */
  receiver?: 'http' | 'socket';
}

const LOG_LEVELS: Record<Environment['SECOPS_LOG_LEVEL'], LogLevel> = { TRACE: LogLevel.DEBUG, DEBUG: LogLevel.DEBUG, INFO: LogLevel.INFO, WARN: LogLevel.WARN, ERROR: LogLevel.ERROR };

/** The Bolt app with every handler; start it with `app.start(port)`. */
export function createSlackApp(options: SlackAppOptions): App {
  const { env } = options;
  const socketMode = (options.receiver ?? (env.SLACK_SOCKET_MODE ? 'socket' : 'http')) === 'socket';
  if (!env.SLACK_BOT_TOKEN) throw new Error('SLACK_BOT_TOKEN is required');
  if (socketMode && !env.SLACK_APP_TOKEN) throw new Error('SLACK_APP_TOKEN is required in Socket Mode');
  if (!socketMode && !env.SLACK_SIGNING_SECRET) throw new Error('SLACK_SIGNING_SECRET is required: Bolt verifies every request with it');
  const logLevel = LOG_LEVELS[env.SECOPS_LOG_LEVEL];
  let receiver: HTTPReceiver | undefined;
  if (!socketMode) {
    receiver = new HTTPReceiver({ signingSecret: env.SLACK_SIGNING_SECRET!, logLevel });
    // Freshness both ways and a replay cache in front of Bolt's own signature check.
    guardSlackRequests(receiver, env.SLACK_SIGNING_SECRET!, { log: (line) => console.warn(line) });
  }
  const app = new App({
    token: env.SLACK_BOT_TOKEN,
    ...(receiver ? { receiver } : { socketMode, appToken: env.SLACK_APP_TOKEN }),
    logLevel,
    ...(env.SLACK_API_URL && { clientOptions: { slackApiUrl: env.SLACK_API_URL } }),
  });
  const signer = frontEndSigner(slackAppKeySource(env), { trustedPublicKey: options.config.slackApp?.publicKey, who: 'the Slack app' });
  if (options.config.slackApp && !signer) throw new Error('SECOPS_SLACK_BALLOT_KEY_FILE (or SECOPS_SLACK_BALLOT_KEY) is required: the config trusts a Slack app key for votes, and this app has none to sign with');
  const deps = { config: options.config, client: options.client, db: options.db, signer };
  registerSecopsCommand(app, deps);
  registerApprovalButtons(app, deps);
  registerRejectSubmission(app, deps);
  registerTriageButtons(app, deps);
  registerTriageSubmissions(app, deps);
  registerAppHome(app, deps);
  registerIncidentButtons(app, deps);
  registerIncidentPicker(app);
  registerIncidentSubmission(app, deps);
  registerPinnedMessages(app, deps);
  // After ack() Slack has its answer; a later failure is the operator's to see.
  app.error(async (error) => console.error(`slack app: ${error.message}`));
  return app;
}

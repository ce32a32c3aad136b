import Fastify, { type FastifyInstance } from 'fastify';
import { webhookKey } from '../domain/standard-webhooks';
import type { AlertIntake } from './alert-intake';
import { ALERTMANAGER_HOOK, alertmanagerHook } from './alertmanager-hook';
import type { Log } from './deliver';
import { EVENTS_HOOK, eventsHook } from './events-hook';
import { acceptJsonAsBytes } from './json-body';
import { answerUnmatchedRequests } from './unmatched-requests';

/** An Alertmanager notification of a large group is tens of KiB; a MiB leaves room and bounds memory. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface HttpServerOptions {
  intake: AlertIntake;
  /** SECOPS_ALERTMANAGER_TOKEN; unset, POST /hooks/alertmanager is off (404). */
  alertmanagerToken?: string;
  /** SECOPS_WEBHOOK_SECRETS (`whsec_…`); none, POST /hooks/events is off (404). */
  webhookSecrets: readonly string[];
  maxBodyBytes?: number;
  /** Lines about refusals and failures; never a body, a header value or a secret. */
  logger?: Log;
}

/**
 * The alert webhooks front end: authenticate, parse, hand the alerts to the intake. An
 * endpoint whose credential is not configured is not served at all (404, as for any unknown
 * path), so a deployment without Alertmanager exposes no Alertmanager hook. The instance is
 * returned unstarted: the caller chooses where it listens (`app.listen`).
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.logger ?? (() => undefined);
  // Parsed before anything listens: a bad secret stops the process at start, not at the first alert.
  const keys = options.webhookSecrets.map(webhookKey);
  // Fastify's request logger stays off: it would log URLs and headers this front end does not
  // choose. The request timeout cuts off a client that trickles its body to hold a socket.
  const app = Fastify({ logger: false, bodyLimit: maxBodyBytes, requestTimeout: 30_000 });
  acceptJsonAsBytes(app);
  const routes = new Map<string, string[]>([['/healthz', ['GET', 'HEAD']]]);
  app.get('/healthz', async () => ({ status: 'ok' }));
  if (options.alertmanagerToken) {
    alertmanagerHook(app, { token: options.alertmanagerToken, intake: options.intake, log });
    routes.set(ALERTMANAGER_HOOK, ['POST']);
  }
  if (keys.length > 0) {
    eventsHook(app, { keys, intake: options.intake, log });
    routes.set(EVENTS_HOOK, ['POST']);
  }
  answerUnmatchedRequests(app, routes, maxBodyBytes, log);
  app.addHook('onClose', async () => options.intake.close?.());
  return app;
}

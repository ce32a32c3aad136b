import type { FastifyInstance } from 'fastify';
import { alertsFromAlertmanager, parseAlertmanagerPayload } from '../domain/alertmanager-payload';
import { bearerTokenMatches } from '../domain/bearer-token';
import type { AlertIntake } from './alert-intake';
import { deliver, type Log } from './deliver';
import { readJsonBody } from './json-body';
import { problemPaths, refuse } from './refusal';

export const ALERTMANAGER_HOOK = '/hooks/alertmanager';

/**
 * Alertmanager's webhook receiver. Alertmanager cannot sign a request, so it authenticates
 * with the bearer token of its `http_config.authorization`; the token is checked when the
 * request arrives, before a byte of the body is read.
 */
export function alertmanagerHook(app: FastifyInstance, options: { token: string; intake: AlertIntake; log: Log }): void {
  app.post(ALERTMANAGER_HOOK, {
    onRequest: async (request, reply) => {
      if (bearerTokenMatches(request.headers.authorization, options.token)) return;
      options.log(`http: refused POST ${ALERTMANAGER_HOOK} from ${request.ip}: ${request.headers.authorization ? 'wrong' : 'no'} bearer token`);
      return refuse(reply.header('www-authenticate', 'Bearer'), 401, 'missing or invalid bearer token');
    },
  }, async (request, reply) => {
    const receivedAt = new Date();
    const reading = readJsonBody(request.body, (json) => {
      const payload = parseAlertmanagerPayload(json);
      if (payload.truncatedAlerts > 0) options.log(`http: Alertmanager left ${payload.truncatedAlerts} alert(s) out of a notification (the receiver's max_alerts)`);
      return alertsFromAlertmanager(payload);
    });
    if (!reading.ok) {
      options.log(`http: refused POST ${ALERTMANAGER_HOOK} (${reading.status}): ${reading.error}${problemPaths(reading.problems)}`);
      return refuse(reply, reading.status, reading.error, reading.problems);
    }
    return deliver(reply, options.intake, reading.value, { source: 'alertmanager', receivedAt }, options.log);
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { alertFromGenericPayload, parseGenericAlertPayload } from '../domain/generic-alert-payload';
import { verifyStandardWebhook } from '../domain/standard-webhooks';
import type { AlertIntake } from './alert-intake';
import { deliver, type Log } from './deliver';
import { readJsonBody } from './json-body';
import { problemPaths, refuse } from './refusal';

export const EVENTS_HOOK = '/hooks/events';

/**
 * Generic alerts signed the Standard Webhooks way. The signature covers the raw body, so
 * the body is read (within the body limit) before it can be checked, and parsed only once
 * it is. Every failed check, a stale timestamp included, is a 401: none of them says who is
 * asking, and the body names which check failed so an honest sender can fix its clock or key.
 * Replays inside the five-minute window carry the same webhook-id: the intake, idempotent by
 * deliveryId, answers them as duplicates.
 */
export function eventsHook(app: FastifyInstance, options: { keys: readonly Buffer[]; intake: AlertIntake; log: Log }): void {
  app.post(EVENTS_HOOK, async (request, reply) => {
    const receivedAt = new Date();
    if (!Buffer.isBuffer(request.body)) return refuse(reply, 415, 'content type must be application/json');
    const verification = verifyStandardWebhook(signatureHeaders(request), request.body, options.keys, receivedAt.getTime());
    if (!verification.ok) {
      options.log(`http: refused POST ${EVENTS_HOOK} from ${request.ip}: ${verification.reason}: ${verification.detail}`);
      return refuse(reply, 401, `signature verification failed (${verification.reason}): ${verification.detail}`);
    }
    const reading = readJsonBody(request.body, (json) => [alertFromGenericPayload(parseGenericAlertPayload(json))]);
    if (!reading.ok) {
      options.log(`http: refused POST ${EVENTS_HOOK} delivery ${verification.id} (${reading.status}): ${reading.error}${problemPaths(reading.problems)}`);
      return refuse(reply, reading.status, reading.error, reading.problems);
    }
    return deliver(reply, options.intake, reading.value, { source: 'webhook', deliveryId: verification.id, receivedAt }, options.log);
  });
}

// A header sent twice arrives as a list (or joined) and is refused as malformed, never guessed at.
function signatureHeaders(request: FastifyRequest) {
  const single = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : undefined;
  };
  return { id: single('webhook-id'), timestamp: single('webhook-timestamp'), signature: single('webhook-signature') };
}

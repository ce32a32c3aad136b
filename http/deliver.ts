import type { FastifyReply } from 'fastify';
import type { Alert } from '../domain/alert';
import { ValidationError } from '../domain/validation-error';
import type { AlertDelivery, AlertIntake } from './alert-intake';
import { problemPaths, refuse } from './refusal';

export type Log = (line: string) => void;

/**
 * Hands the alerts to the intake and answers 202 with its result. Alerts the intake refuses
 * (a ValidationError: no route takes them, or their route cannot open its playbook) are a
 * 422 with the reason: the sender's fault in the config's terms, not an outage. Alertmanager
 * retries no 4xx (its next repeat comes in, once the config routes it); a Standard Webhooks
 * sender that does retry gets the same answer, as nothing was claimed. A failing intake is a
 * 503: both retry a 5xx, so the alert comes back once the platform does. Only the error's
 * message is logged, never the alerts, and of a refusal only where it was wrong: its
 * problems may quote the alert's labels.
 */
export async function deliver(reply: FastifyReply, intake: AlertIntake, alerts: Alert[], delivery: AlertDelivery, log: Log): Promise<FastifyReply> {
  try {
    const result = await intake.receive(alerts, delivery);
    return reply.code(202).send({ status: result.status, incidents: result.incidents });
  } catch (error) {
    if (error instanceof ValidationError) {
      log(`http: refused ${alerts.length} ${delivery.source} alert(s)${delivery.deliveryId ? ` (delivery ${delivery.deliveryId})` : ''} (422): ${error.source} is invalid${problemPaths(error.problems)}`);
      return refuse(reply, 422, error.message, error.problems);
    }
    log(`http: the alert intake failed for ${alerts.length} ${delivery.source} alert(s)${delivery.deliveryId ? ` (delivery ${delivery.deliveryId})` : ''}: ${error instanceof Error ? error.message : String(error)}`);
    return refuse(reply, 503, 'the alert intake is unavailable; retry later');
  }
}

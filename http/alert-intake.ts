import type { Alert, AlertSource } from '../domain/alert';

/**
 * The port the alert webhooks hand authenticated, parsed alerts to; the incident workflow's
 * side (opening, deduplicating, resolving incidents) implements it. Alertmanager repeats
 * notifications and retries failed posts, and a Standard Webhooks sender retries with the
 * same `webhook-id`, so `receive` must be idempotent: a delivery it has seen is a `duplicate`.
 */
export interface AlertIntake {
  receive(alerts: Alert[], delivery: AlertDelivery): Promise<IntakeResult>;
  /** Called when the server closes, after the last request was answered. */
  close?(): Promise<void>;
}

export interface AlertDelivery {
  source: AlertSource;
  /** The sender's id of this delivery (Standard Webhooks `webhook-id`); Alertmanager has none. */
  deliveryId?: string;
  receivedAt: Date;
}

export interface IntakeResult {
  status: 'accepted' | 'duplicate';
  /** The runs the alert groups that may open an incident go to (a group that has only resolved opens none). */
  incidents: string[];
}

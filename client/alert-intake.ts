import { createHash } from 'node:crypto';
import type { Alert } from '../domain/alert';
import type { Config } from '../domain/config';
import { routeInput, routeOf } from '../domain/incident-routes';
import { groupBy } from '../domain/group-by';
import { ValidationError } from '../domain/validation-error';
import type { Database } from '../store/database';
import { queueAlertGroups, type AlertGroupToSend } from '../store/alert-outbox';
import type { AlertDelivery } from '../workflows/incident-definitions';
import { incidentInput } from './start-incident';

/**
 * One run per alert group: `incident-alert:<hash of source and group key>`. Signal-with-start
 * on it (alert-dispatcher.ts) is Temporal's own exactly-once: Alertmanager's repeats, retries after a lost answer
 * and posts racing each other all reach the one open incident, and only after it is closed
 * does the group open a new one.
 */
export function alertWorkflowId(alert: Pick<Alert, 'source' | 'dedupKey'>): string {
  return `incident-alert:${createHash('sha256').update(`${alert.source}\u0000${alert.dedupKey}`).digest('hex').slice(0, 32)}`;
}

export interface IntakeResult {
  status: 'accepted' | 'duplicate';
  incidents: string[];
}

/**
 * What http/ hands authenticated, parsed alerts to: each group is routed (config
 * `incidents.routes`), and the post is kept in the store's outbox, whole, before it is
 * answered; the dispatcher (alert-dispatcher.ts) then signals each group to its incident's
 * run, which opens with the route's playbook if none is open. The answer does not wait on
 * Temporal: an alert is safe once it is in the outbox, and a sender's retries only wait on
 * what they must. An alert no route takes, or whose route's playbook input fails, is refused
 * with the reason before anything is kept (ValidationError → 422). A delivery id seen before
 * (Standard Webhooks `webhook-id`) is a duplicate and changes nothing.
 */
export async function receiveAlerts(deps: { config: Config; db: Database; queued?: () => void }, alerts: Alert[], delivery: { deliveryId?: string; receivedAt: Date }): Promise<IntakeResult> {
  const toSend: AlertGroupToSend[] = [...groupBy(alerts, alertWorkflowId)].map(([workflowId, group]) => {
    const first = group[0]!;
    const route = routeOf(deps.config.incidents.routes, first);
    if (!route) throw new ValidationError('alert', [{ path: 'labels', message: `no incident route matches ${JSON.stringify(first.labels)}` }]);
    const input = incidentInput(deps.config, {
      playbook: route.playbook, input: routeInput(route, first), title: first.title, ...(route.severity && { severity: route.severity }),
      trigger: { kind: 'alert', by: first.source, at: delivery.receivedAt.toISOString() },
      ...(route.commander && { commander: route.commander as `slack:${string}` | `cli:${string}` }),
      participants: route.participants as (`slack:${string}` | `cli:${string}`)[],
    }, `alert route ${route.name}`, delivery.receivedAt);
    const signal: AlertDelivery = { alerts: group, ...(delivery.deliveryId !== undefined && { deliveryId: delivery.deliveryId }), receivedAt: delivery.receivedAt.toISOString() };
    // A group that has only resolved goes on its open incident's timeline, and opens none.
    return { workflowId, opens: group.some((alert) => alert.status !== 'resolved'), input, delivery: signal, receivedAt: delivery.receivedAt };
  });
  // Claimed only once every group is routed, so a refused post can be sent again as it is.
  const claim = delivery.deliveryId !== undefined ? { source: 'webhook', deliveryId: delivery.deliveryId, receivedAt: delivery.receivedAt } : undefined;
  if (!(await queueAlertGroups(deps.db, toSend, claim))) return { status: 'duplicate', incidents: [] };
  deps.queued?.();
  return { status: 'accepted', incidents: toSend.filter((g) => g.opens).map((g) => g.workflowId) };
}

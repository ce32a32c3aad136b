import { createHash } from 'node:crypto';
import { WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Alert } from '../domain/alert';
import type { Config } from '../domain/config';
import { routeInput, routeOf } from '../domain/incident-routes';
import { ValidationError } from '../domain/validation-error';
import type { Database } from '../store/database';
import { claimWebhookDelivery } from '../store/incidents';
import { alertSignal, type AlertDelivery } from '../workflows/incident-definitions';
import { incidentResponse } from '../workflows/incident-response';
import { incidentInput } from './start-incident';

/**
 * One run per alert group: `incident-alert:<hash of source and group key>`. Signal-with-start
 * on it is Temporal's own exactly-once: Alertmanager's repeats, retries after a lost answer
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
 * `incidents.routes`) and signalled to its incident's run, which opens with the route's
 * playbook if none is open. An alert no route takes, or whose route's playbook input fails,
 * is refused with the reason before anything starts (ValidationError → 422). A delivery id
 * seen before (Standard Webhooks `webhook-id`) is a duplicate and changes nothing.
 */
export async function receiveAlerts(deps: { client: Client; config: Config; db: Database }, alerts: Alert[], delivery: { deliveryId?: string; receivedAt: Date }): Promise<IntakeResult> {
  const groups = new Map<string, Alert[]>();
  for (const alert of alerts) groups.set(alertWorkflowId(alert), [...(groups.get(alertWorkflowId(alert)) ?? []), alert]);
  const starts = [...groups].map(([workflowId, group]) => {
    const first = group[0]!;
    const route = routeOf(deps.config.incidents.routes, first);
    if (!route) throw new ValidationError('alert', [{ path: 'labels', message: `no incident route matches ${JSON.stringify(first.labels)}` }]);
    const input = incidentInput(deps.config, {
      playbook: route.playbook, input: routeInput(route, first), title: first.title, ...(route.severity && { severity: route.severity }),
      trigger: { kind: 'alert', by: first.source, at: delivery.receivedAt.toISOString() },
      ...(route.commander && { commander: route.commander as `slack:${string}` | `cli:${string}` }),
      participants: route.participants as (`slack:${string}` | `cli:${string}`)[],
    }, `alert route ${route.name}`, delivery.receivedAt);
    return { workflowId, group, input };
  });
  // Claimed only once every group is routed, so a refused post can be sent again as it is.
  if (delivery.deliveryId !== undefined && !(await claimWebhookDelivery(deps.db, 'webhook', delivery.deliveryId, delivery.receivedAt))) return { status: 'duplicate', incidents: [] };
  const incidents: string[] = [];
  for (const { workflowId, group, input } of starts) {
    const signal: AlertDelivery = { alerts: group, ...(delivery.deliveryId !== undefined && { deliveryId: delivery.deliveryId }), receivedAt: delivery.receivedAt.toISOString() };
    // A group that has only resolved goes on its open incident's timeline, and opens none.
    if (group.every((alert) => alert.status === 'resolved')) {
      const reached = await deps.client.workflow.getHandle(workflowId).signal(alertSignal, signal).then(() => true, (error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      });
      if (reached) incidents.push(workflowId);
      continue;
    }
    await deps.client.workflow.signalWithStart(incidentResponse, {
      taskQueue: deps.config.taskQueues.control, workflowId, args: [input], signal: alertSignal, signalArgs: [signal],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    incidents.push(workflowId);
  }
  return { status: 'accepted', incidents };
}

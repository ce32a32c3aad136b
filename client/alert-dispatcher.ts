import { WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../domain/config';
import { failureMessage } from '../domain/failure-message';
import { groupBy } from '../domain/group-by';
import type { Database } from '../store/database';
import { forgetAlertGroups, leaseAlertGroups, retryAlertGroup, type LeasedAlertGroup } from '../store/alert-outbox';
import { alertSignal, type AlertDelivery } from '../workflows/incident-definitions';
import { incidentResponse, type IncidentInput } from '../workflows/incident-response';

export interface AlertDispatcher {
  /** Something was queued: send it now rather than at the next poll. */
  wake(): void;
  /** Finishes what it is sending, then stops; what is left stays queued for the next one. */
  stop(): Promise<void>;
}

const BATCH = 100;
/** Leftovers (another process's, or retries) are looked for this often even when nothing wakes it. */
const POLL_MS = 1_000;
/** Long enough for a batch of signals to a busy server; a dispatcher that dies frees its rows after it. */
const LEASE_SECONDS = 60;
const MAX_RETRY_DELAY_SECONDS = 300;
const SENDS_IN_FLIGHT = 4;
/**
 * While posts keep arriving, sending waits for a pause this long, but never longer than
 * MAX_LINGER_MS after the first of them (Kafka's linger.ms, Nagle's algorithm): answering a
 * burst comes first, and its groups go out together right after it.
 */
const QUIET_MS = 50;
const MAX_LINGER_MS = 500;

/**
 * Sends the alert groups the intake queued (store/alert-outbox.ts) to their incidents' runs:
 * signal-with-start for a group that may open one, a plain signal for a group that has only
 * resolved (no open incident: nothing to do). Groups of one run go in the order they came;
 * runs go side by side. A failure leaves the group queued and tries again later, so an alert
 * taken in while Temporal is down opens its incident once Temporal is back. Each group's
 * signal carries a delivery id, so a group sent twice (a dispatcher died after sending and
 * before forgetting it) lands on the timeline once.
 */
export function startAlertDispatcher(deps: { client: Client; config: Config; db: Database; log?: (line: string) => void }): AlertDispatcher {
  const log = deps.log ?? (() => undefined);
  let stopping = false;
  let woken = false;
  let burstSince: number | undefined;
  let lastPostAt = 0;
  let rouse: (() => void) | undefined;

  const sendGroup = async (group: LeasedAlertGroup): Promise<void> => {
    const delivery = group.delivery as AlertDelivery;
    const signal: AlertDelivery = { ...delivery, deliveryId: delivery.deliveryId ?? `outbox:${group.id}` };
    if (!group.opens) {
      await deps.client.workflow.getHandle(group.workflowId).signal(alertSignal, signal).catch((error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      });
      return;
    }
    await deps.client.workflow.signalWithStart(incidentResponse, {
      taskQueue: deps.config.taskQueues.control, workflowId: group.workflowId, args: [group.input as IncidentInput], signal: alertSignal, signalArgs: [signal],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  };

  const sendBatch = async (groups: LeasedAlertGroup[]): Promise<void> => {
    const sent: string[] = [];
    const queues = [...groupBy(groups, (group) => group.workflowId).values()];
    const sendQueue = async (queue: LeasedAlertGroup[]) => {
      for (const [index, group] of queue.entries()) {
        try {
          await sendGroup(group);
          sent.push(group.id);
        } catch (error) {
          // The rest of this run's groups wait as long, so they stay in order behind it.
          const delay = Math.min(MAX_RETRY_DELAY_SECONDS, 2 ** group.attempts);
          for (const held of queue.slice(index)) await retryAlertGroup(deps.db, held.id, failureMessage(error), delay).catch(() => undefined);
          log(`http: sending alerts to ${group.workflowId} failed (attempt ${group.attempts}; retried): ${failureMessage(error)}`);
          return;
        }
      }
    };
    // A few runs at a time: a burst of sends must not crowd out the webhook requests this process answers.
    const lanes = Array.from({ length: Math.min(SENDS_IN_FLIGHT, queues.length) }, async () => {
      for (let queue = queues.shift(); queue; queue = queues.shift()) await sendQueue(queue);
    });
    await Promise.all(lanes);
    await forgetAlertGroups(deps.db, sent);
  };

  const lingerWhilePostsArrive = async () => {
    while (!stopping && burstSince !== undefined) {
      const now = Date.now();
      const wait = Math.min(QUIET_MS - (now - lastPostAt), MAX_LINGER_MS - (now - burstSince));
      if (wait <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    burstSince = undefined;
  };

  const loop = async () => {
    let backlog = false;
    while (!stopping) {
      // A full batch last time means a backlog: drain it rather than wait.
      if (!backlog) await lingerWhilePostsArrive();
      woken = false;
      let leased: LeasedAlertGroup[] = [];
      try {
        leased = await leaseAlertGroups(deps.db, BATCH, LEASE_SECONDS);
        if (leased.length > 0) await sendBatch(leased);
      } catch (error) {
        log(`http: the alert dispatcher could not reach the store: ${failureMessage(error)}`);
      }
      backlog = leased.length === BATCH;
      if (stopping || backlog || woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        rouse = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      rouse = undefined;
    }
  };
  const running = loop();

  return {
    wake() {
      lastPostAt = Date.now();
      burstSince ??= lastPostAt;
      woken = true;
      rouse?.();
    },
    async stop() {
      stopping = true;
      rouse?.();
      await running;
    },
  };
}

import type { UpdateDefinition } from '@temporalio/common';
import { allHandlersFinished, condition, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Principal } from '../domain/approval-rules';
import { trustedKeys, type SignerKeys, type TrustedKey } from '../domain/ballot';
import { ACT_NAMES, actProblem, type ActArgs, type ActName, type SignedAct } from '../domain/incident-act';
import { actRefusal } from '../domain/incident-authority';
import {
  defaultPriority, statusUpdateCadenceMs, type IncidentSeverity, type IncidentView, type Milestone, type TimelineEvent, type TimelineKind,
} from '../domain/incident';
import { durationMs } from '../domain/duration';
import { ACT_UPDATES, alertSignal, incidentQuery, timelineQuery, type AlertDelivery } from './incident-definitions';

const store = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 10 } });
/**
 * The store's batches are a regular activity: what goes in a batch depends on when the last
 * one finished, and only a regular activity's completion has its place in history, so a
 * replay cuts the same batches (a local activity's does not: replays diverged).
 */
const persistence = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 10 } });

/** The last this many delivery ids are remembered: the intake refuses older replays itself (its store of deliveries, a day long). */
const DELIVERY_MEMORY = 1_000;

export interface IncidentOpening {
  incidentId: string;
  title: string;
  playbook: string;
  severity: IncidentSeverity;
  trigger: { kind: 'cli' | 'slack' | 'alert' | 'dast'; by: string; at: string };
  commander?: Principal;
  participants: Principal[];
  signers: SignerKeys;
}

/**
 * One incident's state while its workflow runs, and everything people and alerts do to it:
 * the signed acts (validated, authorized and audited before they count), the alerts routed
 * here, the timeline that records it all (persisted as it grows) and the milestones.
 */
export class IncidentRun {
  readonly view: IncidentView;
  private readonly timeline: (TimelineEvent & { seq: number })[] = [];
  private readonly trusted: Map<string, TrustedKey>;
  /** Signatures already counted: the same signed act sent twice counts once. */
  private readonly used = new Set<string>();
  private readonly deliveries: string[] = [];
  /** Recorded, not yet in the store. */
  private readonly unsaved: (TimelineEvent & { seq: number })[] = [];
  private changed = false;
  private opened = false;
  /** When the commander is next reminded to post a status update. */
  nextReminderAt: number;
  resolution?: { summary: string; by: Principal | 'playbook'; fixed?: boolean };
  /** Set for a playbook that verifies fixes: a person's resolve becomes a claim it checks. */
  verifiesFix = false;
  readonly fixClaims: { summary: string; by: string }[] = [];
  /** Human tasks closed, by id: what humanTask waits on. */
  readonly taskOutcomes = new Map<string, 'done' | 'not-needed'>();

  constructor(opening: IncidentOpening) {
    const at = opening.trigger.at;
    this.trusted = trustedKeys(opening.signers);
    this.view = {
      id: opening.incidentId, title: opening.title, playbook: opening.playbook, severity: opening.severity, priority: defaultPriority(opening.severity), status: 'active',
      roles: opening.commander ? { commander: opening.commander } : {}, participants: [...new Set(opening.participants)], handoffs: [],
      milestones: { detected: { at, source: `${opening.trigger.kind} ${opening.trigger.by}` } }, alertKeys: [], openTasks: [], createdAt: at,
    };
    if (opening.commander) this.view.handoffs.push({ role: 'commander', to: opening.commander, by: 'system', at });
    this.nextReminderAt = Date.now() + statusUpdateCadenceMs(opening.severity);
    setHandler(incidentQuery, () => this.view);
    setHandler(timelineQuery, () => this.timeline.map(({ seq: _seq, ...event }) => event));
    setHandler(alertSignal, (delivery) => this.receiveAlerts(delivery));
    for (const action of ACT_NAMES) this.installAct(action);
  }

  /** How often status updates are due at the incident's severity now. */
  cadenceMs(): number {
    return statusUpdateCadenceMs(this.view.severity);
  }

  get closed(): boolean {
    return this.view.status === 'closed';
  }

  /**
   * Appends to the timeline. The store follows in batches (persistLoop): the event is durable
   * the moment it is recorded, since the run's history replays it, and one write per batch
   * instead of one per event is what lets hundreds of incidents run at once.
   */
  async record(kind: TimelineKind, actor: string, text: string, data?: Record<string, string>, at = new Date().toISOString()): Promise<void> {
    const event = { seq: this.timeline.length + 1, at, kind, actor, text, ...(data && { data }) };
    this.timeline.push(event);
    this.unsaved.push(event);
  }

  /** Marks the incident's row for the next write to the store. */
  async save(): Promise<void> {
    this.changed = true;
  }

  /** Until `stop`, writes the incident and its new timeline events to the store whenever there are some, one batch at a time. */
  async persistLoop(stop: () => boolean): Promise<void> {
    for (;;) {
      await condition(() => this.unsaved.length > 0 || this.changed || stop());
      if (this.unsaved.length === 0 && !this.changed) return;
      const events = this.unsaved.splice(0);
      this.changed = false;
      await persistence.persistIncident({ view: this.view, workflowId: workflowInfo().workflowId, events });
    }
  }

  /** Sets a milestone from an event, unless it is set already (a person's edit always stands). */
  async reached(milestone: Milestone, source: string, at = new Date().toISOString()): Promise<void> {
    if (this.view.milestones[milestone]) return;
    this.view.milestones[milestone] = { at, source };
    await this.record('milestone', 'system', `${milestone} at ${at} (${source})`, { milestone, at });
  }

  async closeWhenAllRecorded(): Promise<void> {
    await condition(allHandlersFinished);
  }

  /** The incident's first timeline event; alerts and acts that arrived meanwhile wait for it. */
  async open(by: string, text: string, data: Record<string, string>): Promise<void> {
    await this.save();
    await this.record('created', by, text, data);
    this.opened = true;
  }

  private async receiveAlerts(delivery: AlertDelivery): Promise<void> {
    await condition(() => this.opened);
    if (delivery.deliveryId !== undefined) {
      if (this.deliveries.includes(delivery.deliveryId)) return Promise.resolve();
      this.deliveries.push(delivery.deliveryId);
      if (this.deliveries.length > DELIVERY_MEMORY) this.deliveries.shift();
    }
    await this.recordAlerts(delivery);
  }

  /** Alerts on the timeline (at their own start or end time), their keys kept for deduplication, impact dated by the earliest. */
  async recordAlerts(delivery: AlertDelivery): Promise<void> {
    for (const alert of delivery.alerts) {
      if (!this.view.alertKeys.includes(alert.dedupKey)) this.view.alertKeys.push(alert.dedupKey);
      const firing = alert.status === 'firing';
      const at = (firing ? alert.startsAt : alert.endsAt) ?? delivery.receivedAt;
      await this.record(firing ? 'alert' : 'alert-resolved', alert.source, `${firing ? 'firing' : 'resolved'}: ${alert.title}`, { dedupKey: alert.dedupKey, ...(alert.fingerprint && { fingerprint: alert.fingerprint }) }, at);
      if (firing && alert.startsAt) await this.earliestImpact(alert.startsAt, `alert ${alert.title}`);
    }
    await this.save();
  }

  private async earliestImpact(at: string, source: string): Promise<void> {
    const known = this.view.milestones.impactStarted;
    if (known?.reason !== undefined) return;
    if (known && Date.parse(known.at) <= Date.parse(at)) return;
    this.view.milestones.impactStarted = { at, source };
    await this.record('milestone', 'system', `impactStarted at ${at} (${source})`, { milestone: 'impactStarted', at });
  }

  private installAct<A extends ActName>(action: A): void {
    const update = ACT_UPDATES[action] as UpdateDefinition<IncidentView, [SignedAct<A>]>;
    setHandler(update, async (act: SignedAct<A>) => {
      this.used.add(act.signature);
      // Audited before it counts: an act that changed the incident always has its row.
      await store.recordIncidentAudit({
        actor: act.actor, action, incidentId: this.view.id, outcome: 'allowed', details: { args: act.args, issuedAt: act.issuedAt },
        signature: act.signature, keyId: act.keyId, idempotencyKey: `${this.view.id}/${act.signature}`,
      });
      await this.apply(action, act.args as ActArgs<A>, act.actor);
      await this.save();
      return this.view;
    }, {
      validator: (act: SignedAct<A>) => {
        const problem = (this.opened ? undefined : 'the incident is still opening; try again')
          ?? actProblem(act, action, this.view.id, this.trusted, Date.now())
          ?? (this.used.has(act.signature) ? 'this signed act was already counted (a replay)' : undefined)
          ?? actRefusal(action, act.args as ActArgs<A>, act.actor, this.view);
        if (problem) throw new Error(problem);
      },
    });
  }

  private async apply<A extends ActName>(action: A, args: ActArgs<A>, actor: Principal): Promise<void> {
    const now = new Date().toISOString();
    const isCommander = this.view.roles.commander === actor;
    switch (action) {
      case 'addTimelineEvent': {
        const { text, at } = args as ActArgs<'addTimelineEvent'>;
        await this.record(at ? 'pinned' : 'note', actor, text, undefined, at ?? now);
        // The commander's update is the status update the reminders ask for.
        if (isCommander && !at) this.nextReminderAt = Date.now() + this.cadenceMs();
        return;
      }
      case 'assignRole': {
        const { role } = args as ActArgs<'assignRole'>;
        const to = (args as ActArgs<'assignRole'>).to as Principal;
        if (!this.view.participants.includes(to) && !Object.values(this.view.roles).includes(to)) this.view.participants.push(to);
        if (role === 'participant') return this.record('role', actor, `${to} joined`, { role, to });
        const from = this.view.roles[role];
        this.view.roles[role] = to;
        if (from && from !== to && !this.view.participants.includes(from)) this.view.participants.push(from);
        this.view.handoffs.push({ role, to, ...(from && { from }), by: actor, at: now });
        return this.record('role', actor, from ? `${role}: ${from} → ${to}` : `${role}: ${to}`, { role, to, ...(from && { from }) });
      }
      case 'setSeverity': {
        const { severity, reason } = args as ActArgs<'setSeverity'>;
        const before = this.view.severity;
        this.view.severity = severity;
        this.view.priority = defaultPriority(severity);
        this.nextReminderAt = Date.now() + this.cadenceMs();
        return this.record('severity', actor, `severity ${before} → ${severity}: ${reason}`, { from: before, to: severity });
      }
      case 'setStatus': {
        const { status } = args as ActArgs<'setStatus'>;
        const before = this.view.status;
        this.view.status = status;
        this.nextReminderAt = Date.now() + this.cadenceMs();
        return this.record('status', actor, `status ${before} → ${status}`, { from: before, to: status });
      }
      case 'setMilestone': {
        const { milestone, at, reason } = args as ActArgs<'setMilestone'>;
        const before = this.view.milestones[milestone];
        this.view.milestones[milestone] = { at, source: actor, reason };
        return this.record('milestone', actor, `${milestone} set to ${at}${before ? ` (was ${before.at})` : ''}: ${reason}`, { milestone, at, ...(before && { was: before.at }) });
      }
      case 'acknowledge':
        await this.record('note', actor, 'acknowledged');
        return this.reached('acknowledged', actor);
      case 'snoozeReminder': {
        const { for: snooze } = args as ActArgs<'snoozeReminder'>;
        this.nextReminderAt = Date.now() + durationMs(snooze);
        return this.record('reminder', actor, `status-update reminder snoozed for ${snooze}`, { snooze });
      }
      case 'completeTask': {
        const { taskId, outcome, note } = args as ActArgs<'completeTask'>;
        const task = this.view.openTasks.find((t) => t.taskId === taskId)!;
        this.view.openTasks = this.view.openTasks.filter((t) => t.taskId !== taskId);
        this.taskOutcomes.set(taskId, outcome);
        return this.record('human-task', actor, `task "${task.title}": ${outcome}${note ? ` — ${note}` : ''}`, { taskId, outcome });
      }
      case 'resolve': {
        const { summary, fixed } = args as ActArgs<'resolve'>;
        if (this.verifiesFix) {
          this.fixClaims.push({ summary, by: actor });
          return this.record('note', actor, `fix claimed: ${summary} — re-testing before it is resolved`);
        }
        this.resolution = { summary, by: actor, ...(fixed !== undefined && { fixed }) };
        return;
      }
    }
  }
}

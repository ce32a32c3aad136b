import { ApplicationFailure, CancellationScope, condition, isCancellation, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ApprovalPolicy } from '../domain/approval';
import { failureMessage } from '../domain/failure-message';
import type { IncidentSeverity, IncidentStatus } from '../domain/incident';
import type { AlertDelivery } from './incident-definitions';
import { announce, keepAnnounced } from './incident-announcement';
import { IncidentRun, type IncidentOpening } from './incident-run';
import { playbookContext } from './playbook-context';
import { PLAYBOOKS } from './playbooks';

export interface IncidentInput extends Omit<IncidentOpening, 'severity'> {
  /** Unset: the playbook's own severity. */
  severity?: IncidentSeverity;
  /** Validated by the front end against the playbook's schema, and again here. */
  playbookInput: unknown;
  /** The first alerts, when an alert opened it. */
  alerts?: AlertDelivery;
  /** The policies of the approvals the playbook asks (config `approvals`, gatePolicyOf). */
  approvals: Record<string, ApprovalPolicy>;
  /** What the front end prepared for the playbook from the config (a re-test's scan input). */
  prepared?: unknown;
}

export interface IncidentOutcome {
  incidentId: string;
  status: IncidentStatus;
  resolution: string;
}

const notify = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 5 } });

/**
 * An incident from its opening to its resolution: record it, run its playbook while people
 * act on it (signed acts, incident-run.ts) and alerts keep arriving, remind the commander
 * to post status updates at the severity's cadence, and close it when someone resolves it
 * (or the playbook proves it fixed). Everything lands on the timeline.
 */
export async function incidentResponse(input: IncidentInput): Promise<IncidentOutcome> {
  const playbook = PLAYBOOKS[input.playbook];
  if (!playbook) throw ApplicationFailure.nonRetryable(`unknown playbook ${input.playbook}`, 'UnknownPlaybook');
  const parsed = playbook.input.safeParse(input.playbookInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`${playbook.id}: input ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'} ${i.message}`).join('; ')}`, 'InvalidPlaybookInput');

  const incident = new IncidentRun({ ...input, severity: input.severity ?? playbook.severity });
  incident.verifiesFix = playbook.verifiesFix === true;
  let finished = false;
  const persisted = incident.persistLoop(() => finished);
  await incident.open(input.trigger.by, `${input.title} (${playbook.title}, ${incident.view.severity}) opened from ${input.trigger.kind}`, { playbook: playbook.id });
  if (input.alerts) await incident.recordAlerts(input.alerts);
  await announce(incident);

  const requestedBy = input.commander ?? (input.trigger.kind === 'alert' ? 'alert' : 'schedule');
  const playbookScope = new CancellationScope();
  const playbookRun = playbookScope.run(() => playbook.run(playbookContext(incident, input.approvals, requestedBy, input.prepared), parsed.data))
    .then(() => incident.record('step', 'system', `playbook ${playbook.id} finished`, { state: 'finished' }))
    .catch((error: unknown) => incident.record('step', 'system', isCancellation(error) ? `playbook ${playbook.id} stopped: the incident was resolved` : `playbook ${playbook.id} failed: ${failureMessage(error)}`, { state: isCancellation(error) ? 'stopped' : 'failed' }));
  const reminders = remindCommander(incident);
  const statusUpdates = keepAnnounced(incident);

  await condition(() => incident.resolution !== undefined);
  playbookScope.cancel();
  await playbookRun;
  const resolution = incident.resolution!;
  incident.view.status = 'closed';
  await incident.reached('resolved', resolution.by);
  await incident.record('resolved', resolution.by, resolution.summary);
  await reminders;
  await statusUpdates;
  await incident.closeWhenAllRecorded();
  await announce(incident);
  await incident.save();
  finished = true;
  await persisted;
  return { incidentId: incident.view.id, status: incident.view.status, resolution: resolution.summary };
}

/** Reminds the commander when a status update is due; a status update, a change or a snooze moves the next one. */
async function remindCommander(incident: IncidentRun): Promise<void> {
  while (!incident.closed) {
    const due = incident.nextReminderAt;
    const moved = await condition(() => incident.closed || incident.nextReminderAt !== due, Math.max(due - Date.now(), 1));
    if (moved) continue;
    await incident.record('reminder', 'system', `status update due from ${incident.view.roles.commander ?? 'the commander (none yet)'}`);
    incident.nextReminderAt = Date.now() + incident.cadenceMs();
    // Slack being down must not end the incident: the reminder is on the timeline either way.
    await notify.remindCommander({ view: incident.view }).catch((error: unknown) => {
      if (isCancellation(error)) throw error;
      return incident.record('note', 'system', `the reminder could not be posted: ${failureMessage(error)}`);
    });
  }
}

import type { Principal } from './approval-rules';
import type { ActArgs, ActName } from './incident-act';
import type { IncidentView } from './incident';

/** Acts only the commander may take: they steer the whole incident. */
const COMMANDER_ONLY: ReadonlySet<ActName> = new Set(['setSeverity', 'setStatus', 'resolve', 'snoozeReminder']);

/** Everyone the incident names: its roles and its participants. */
export function peopleOf(incident: Pick<IncidentView, 'roles' | 'participants'>): Set<Principal> {
  return new Set([...Object.values(incident.roles), ...incident.participants].filter((p): p is Principal => p !== undefined));
}

/**
 * Why `actor` may not take `action` on this incident, or undefined when they may. Only its
 * people act on an incident; the commander steers (severity, status, resolution, roles);
 * the commander or the scribe dates milestones; a task is closed by its assignee or the
 * commander. A commander-less incident (opened by an alert) lets any of its people take
 * command. One rule for the Update validators and every front end.
 */
export function actRefusal<A extends ActName>(action: A, args: ActArgs<A>, actor: Principal, incident: Pick<IncidentView, 'id' | 'roles' | 'participants' | 'status' | 'openTasks'>): string | undefined {
  if (incident.status === 'closed') return `incident ${incident.id} is closed`;
  if (!peopleOf(incident).has(actor)) return `${actor} is not a participant of incident ${incident.id}`;
  const commander = incident.roles.commander;
  const isCommander = commander === actor;
  if (COMMANDER_ONLY.has(action) && !isCommander) return `only the commander (${commander ?? 'none yet'}) may ${action}`;
  if (action === 'assignRole') {
    const { role, to } = args as ActArgs<'assignRole'>;
    const takingVacantCommand = role === 'commander' && commander === undefined && to === actor;
    if (!isCommander && !takingVacantCommand) return commander === undefined ? 'without a commander, one may only take command oneself' : `only the commander (${commander}) may assign roles`;
  }
  if (action === 'setMilestone' && !isCommander && incident.roles.scribe !== actor) return 'only the commander or the scribe may set a milestone';
  if (action === 'completeTask') {
    const task = incident.openTasks.find((t) => t.taskId === (args as ActArgs<'completeTask'>).taskId);
    if (!task) return `no open task ${(args as ActArgs<'completeTask'>).taskId}`;
    if (!isCommander && task.assignee !== undefined && task.assignee !== actor) return `task ${task.taskId} is assigned to ${task.assignee}`;
  }
  return undefined;
}

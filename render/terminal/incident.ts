import { INCIDENT_ROLES, MILESTONES, type IncidentView, type TimelineEvent } from '../../domain/incident';
import { renderTable } from './table';

type ListedIncident = Pick<IncidentView, 'id' | 'status' | 'severity' | 'priority' | 'title' | 'playbook' | 'roles' | 'createdAt'>;

/** `secops incident list`: one line per incident, newest first as given. */
export function incidentsTable(incidents: readonly ListedIncident[]): string {
  if (incidents.length === 0) return 'no incidents';
  return renderTable(
    ['incident', 'status', 'severity', 'title', 'playbook', 'commander', 'opened'],
    incidents.map((i) => [i.id, i.status, `${i.severity}/${i.priority}`, cell(i.title), i.playbook, i.roles.commander ?? '-', minute(i.createdAt)]),
  );
}

/**
 * `secops incident show`: the incident's heading, its roles and participants, its
 * milestones in the order they happen, its open tasks and its whole timeline. `source`
 * says whether this is the run's current state or the store's last record of it.
 */
export function incidentDetails(view: IncidentView, timeline: readonly TimelineEvent[], source: 'run' | 'store'): string {
  const participants = view.participants.filter((p) => !Object.values(view.roles).includes(p));
  const sections = [
    `${view.id}: ${cell(view.title)}`,
    `playbook ${view.playbook} · ${view.severity}/${view.priority} · ${view.status} · opened ${second(view.createdAt)} · ${source === 'run' ? 'as its run has it now' : 'as last stored'}`,
    '',
    renderTable(['role', 'who'], [...INCIDENT_ROLES.map((role) => [role, view.roles[role] ?? '-']), ...participants.map((p) => ['participant', p])]),
    '',
    renderTable(['milestone', 'at', 'set by', 'reason'], MILESTONES.map((m) => {
      const record = view.milestones[m];
      return record ? [m, second(record.at), cell(record.source), cell(record.reason ?? '')] : [m, '-', '', ''];
    })),
  ];
  if (view.openTasks.length > 0) {
    sections.push('', renderTable(['task', 'title', 'assignee', 'opened'], view.openTasks.map((t) => [t.taskId, cell(t.title), t.assignee ?? 'anyone', second(t.openedAt)])));
  }
  sections.push('', timeline.length === 0 ? 'timeline: empty' : renderTable(['at', 'kind', 'actor', 'text'], timeline.map((e) => [second(e.at), e.kind, cell(e.actor), cell(e.text)])));
  return sections.join('\n');
}

// Text from alerts and people lands in a terminal: a control character could move the cursor or
// recolour the screen, and a line break would break the table.
function cell(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F]+/g, ' ').replace(/\s+/g, ' ').trim();
}

function second(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')}Z`;
}

function minute(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')}Z`;
}

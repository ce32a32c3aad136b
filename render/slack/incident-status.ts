import type { KnownBlock, SectionBlock } from '@slack/web-api';
import type { Principal } from '../../domain/approval-rules';
import { INCIDENT_ROLES, MILESTONES, type IncidentSeverity, type IncidentStatus, type IncidentView } from '../../domain/incident';
import { acknowledgeButton, snoozeButtons } from './incident-actions';
import { code, date, line, plain, principal } from './mrkdwn';
import type { SlackMessage } from './message';

/**
 * The header's block_id: how the worker recognises its own status message among a channel's
 * messages when it has to find it again (a retried first announcement).
 */
export const INCIDENT_STATUS_BLOCK = 'incident.status';

/** Shown by name, then "and N more": a section field holds 2000 characters, a mention about 15. */
const MAX_PARTICIPANTS = 30;
/** Ten escaped titles of at most 150 characters and their assignees stay well within a section's 3000. */
const MAX_TASKS = 10;

const SEVERITY: Record<IncidentSeverity, string> = { SEV1: ':red_circle: SEV1', SEV2: ':large_orange_circle: SEV2', SEV3: ':large_yellow_circle: SEV3', SEV4: ':large_blue_circle: SEV4' };
const STATUS: Record<IncidentStatus, string> = { active: ':fire: active', stable: ':large_green_circle: stable', closed: ':white_check_mark: closed' };

/**
 * The incident's pinned status message, updated in place as it changes: what it is, who has
 * which role, what happened when, what is still to do, and the buttons while it is open.
 * Titles, sources and task names come from people and alerts, so all are escaped.
 */
export function incidentStatusMessage(view: IncidentView): SlackMessage {
  const closed = view.status === 'closed';
  const buttons = closed ? [] : [...(view.milestones.acknowledged ? [] : [acknowledgeButton(view.id)]), ...(view.roles.commander ? snoozeButtons(view.id) : [])];
  return {
    text: `${closed ? 'Resolved' : view.severity} incident: ${line(view.title, 500)} (${view.status})`,
    blocks: [
      { type: 'header', block_id: INCIDENT_STATUS_BLOCK, text: { type: 'plain_text', text: plain(`${closed ? ':white_check_mark: Resolved:' : ':rotating_light:'} ${view.title}`, 150), emoji: true } },
      facts(view),
      people(view),
      { type: 'section', text: { type: 'mrkdwn', text: `*Milestones*\n${milestones(view)}` } },
      { type: 'section', text: { type: 'mrkdwn', text: `*Open tasks*\n${tasks(view)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Playbook ${code(view.playbook, 80)}  ·  opened ${date(view.createdAt)}` }] },
      ...(buttons.length > 0 ? [{ type: 'actions', elements: buttons } satisfies KnownBlock] : []),
    ],
  };
}

function facts(view: IncidentView): SectionBlock {
  return {
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Severity*\n${SEVERITY[view.severity]}` },
      { type: 'mrkdwn', text: `*Priority*\n${view.priority}` },
      { type: 'mrkdwn', text: `*Status*\n${STATUS[view.status]}` },
      { type: 'mrkdwn', text: `*Incident*\n${code(view.id, 120)}` },
    ],
  };
}

/** The named roles, vacant ones included (a missing commander is news), then everyone else on it. */
function people(view: IncidentView): SectionBlock {
  const roleHolders = new Set(Object.values(view.roles));
  const others = view.participants.filter((p) => !roleHolders.has(p));
  const shown = others.slice(0, MAX_PARTICIPANTS).map(principal).join(', ');
  const more = others.length > MAX_PARTICIPANTS ? ` and ${others.length - MAX_PARTICIPANTS} more` : '';
  return {
    type: 'section',
    fields: [
      ...INCIDENT_ROLES.map((role) => ({ type: 'mrkdwn' as const, text: `*${role[0]!.toUpperCase()}${role.slice(1)}*\n${view.roles[role] ? principal(view.roles[role]) : '_none yet_'}` })),
      { type: 'mrkdwn', text: `*Participants*\n${shown ? `${shown}${more}` : '_none_'}` },
    ],
  };
}

/** In the order they happen; a person's edit says so, as its source is them. */
function milestones(view: IncidentView): string {
  const set = MILESTONES.filter((m) => view.milestones[m]).map((m) => {
    const { at, source } = view.milestones[m]!;
    const by = source.startsWith('slack:') || source.startsWith('cli:') ? principal(source as Principal) : line(source, 200);
    return `• ${m}: ${date(at)} (${by})`;
  });
  return set.length > 0 ? set.join('\n') : '_none yet_';
}

function tasks(view: IncidentView): string {
  if (view.openTasks.length === 0) return '_none_';
  const listed = view.openTasks.slice(0, MAX_TASKS).map((t) => `• ${line(t.title, 150)}${t.assignee ? ` — ${principal(t.assignee)}` : ''}`);
  const more = view.openTasks.length > MAX_TASKS ? [`… and ${view.openTasks.length - MAX_TASKS} more`] : [];
  return [...listed, ...more].join('\n');
}

import { z } from 'zod';
import type { Principal } from './approval-rules';
import { durationMs } from './duration';
import { lazySchema } from './lazy-schema';

/**
 * The incident as responders know it from Netflix Dispatch and incident.io: a severity and
 * priority, a status that goes active → stable → closed, named roles whose every handoff is
 * recorded, milestones that date what happened (and drive the duration metrics), and a
 * timeline that captures itself. The workflow holds it while it runs; the store keeps it.
 */

export const INCIDENT_SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];
export const INCIDENT_PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type IncidentPriority = (typeof INCIDENT_PRIORITIES)[number];
export const INCIDENT_STATUSES = ['active', 'stable', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
/** The named roles; anyone else on the incident is a participant. */
export const INCIDENT_ROLES = ['commander', 'scribe', 'liaison'] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];
/** In the order they happen; each duration metric is the time between two of them (REFERENCES.md). */
export const MILESTONES = ['impactStarted', 'detected', 'acknowledged', 'mitigated', 'resolved'] as const;
export type Milestone = (typeof MILESTONES)[number];

// Lazy (lazy-schema.ts), as every schema here: a workflow run builds them only when someone acts on it.
export const severitySchema = lazySchema(() => z.enum(INCIDENT_SEVERITIES, { error: 'must be SEV1, SEV2, SEV3 or SEV4' }));
export const incidentStatusSchema = lazySchema(() => z.enum(INCIDENT_STATUSES, { error: 'must be active, stable or closed' }));
export const roleSchema = lazySchema(() => z.enum(INCIDENT_ROLES, { error: 'must be commander, scribe or liaison' }));
export const milestoneSchema = lazySchema(() => z.enum(MILESTONES, { error: `must be one of ${MILESTONES.join(', ')}` }));

/** The priority a severity implies until someone sets another: SEV1 pages as P1. */
export function defaultPriority(severity: IncidentSeverity): IncidentPriority {
  return `P${severity.slice(3)}` as IncidentPriority;
}

/**
 * How often the commander is reminded to post a status update (Dispatch reminds by priority,
 * 24 h by default; a SEV1's stakeholders expect one every half hour).
 */
export const STATUS_UPDATE_CADENCE: Record<IncidentSeverity, string> = { SEV1: '30m', SEV2: '1h', SEV3: '4h', SEV4: '24h' };
/** The snoozes offered with a reminder. */
export const SNOOZES = ['30m', '1h', '2h'] as const;
export type Snooze = (typeof SNOOZES)[number];
export const snoozeSchema = lazySchema(() => z.enum(SNOOZES, { error: 'must be 30m, 1h or 2h' }));

export function statusUpdateCadenceMs(severity: IncidentSeverity): number {
  return durationMs(STATUS_UPDATE_CADENCE[severity]);
}

export interface MilestoneRecord {
  at: string;
  /** What set it: the event it was taken from, or the person who edited it. */
  source: string;
  /** An edit by a person says why (audited). */
  reason?: string;
}

export interface RoleHandoff {
  role: IncidentRole;
  to: Principal;
  from?: Principal;
  by: Principal | 'system';
  at: string;
}

export const TIMELINE_KINDS = [
  'created', 'alert', 'alert-resolved', 'step', 'evidence', 'approval', 'ballot', 'human-task', 'role', 'severity', 'status', 'milestone', 'note', 'pinned', 'reminder', 'child', 'resolved',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEvent {
  at: string;
  kind: TimelineKind;
  /** Who did it: a person, or the platform (`system`), or the alert source. */
  actor: string;
  text: string;
  /** Machine-readable facts of the event (an evidence file's path and SHA-256, a step's name). */
  data?: Record<string, string>;
}

/** The incident while its workflow runs: what the Query returns and the store mirrors. */
export interface IncidentView {
  id: string;
  title: string;
  playbook: string;
  severity: IncidentSeverity;
  priority: IncidentPriority;
  status: IncidentStatus;
  roles: Partial<Record<IncidentRole, Principal>>;
  participants: Principal[];
  handoffs: RoleHandoff[];
  milestones: Partial<Record<Milestone, MilestoneRecord>>;
  /** Alert group keys (or event fingerprints) that belong to this incident: deduplication. */
  alertKeys: string[];
  /** The incident's Slack channel (its id): set once the channel is open. */
  channel?: string;
  /**
   * Where the Slack status message is, kept in the view (and so in the run's history) because
   * activities keep nothing across worker restarts: each later announcement updates it in place.
   */
  statusMessage?: { channel: string; ts: string };
  openTasks: HumanTaskView[];
  createdAt: string;
}

export interface HumanTaskView {
  taskId: string;
  title: string;
  assignee?: Principal;
  openedAt: string;
}

/**
 * `inc-<yyyymmdd>-<slug>-<suffix>`: the incident id, which is also its Slack channel's name
 * (lowercase, digits and hyphens, at most 80 characters, as Slack requires). The suffix keeps
 * two incidents of one day and title apart.
 */
export function incidentIdOf(title: string, at: Date, suffix: string): string {
  const day = at.toISOString().slice(0, 10).replaceAll('-', '');
  const slug = title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50).replace(/-+$/, '') || 'incident';
  return `inc-${day}-${slug}-${suffix}`;
}

export const incidentIdSchema = lazySchema(() => z.string().regex(/^inc-\d{8}-[a-z0-9-]{1,60}$/, 'must be an incident id (inc-<yyyymmdd>-<slug>-<suffix>)'));

/** The workflow id of an incident's run. */
export function incidentWorkflowId(incidentId: string): string {
  return `incident:${incidentId}`;
}

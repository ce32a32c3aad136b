import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type DayOfWeek,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { Config } from '../domain/config';
import { dastScanInput, dastScheduleId, scheduleHash } from '../domain/dast';
import { credentialRotationInput, rotationScheduleId } from '../domain/rotation';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { dastScan } from '../workflows/dast-scan';
import { scheduledRotation } from '../workflows/scheduled-rotation';

/** The kinds of schedule this code makes; among them, a deployment's own are told by their task queue. */
const PREFIXES = [dastScheduleId(''), rotationScheduleId('')];
const ofOurKind = (scheduleId: string) => PREFIXES.some((prefix) => scheduleId.startsWith(prefix));

export interface SyncResult {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
}

/**
 * A weekly schedule that starts `workflowType` with `input`: overlap SKIP (a run still going
 * when the next is due skips the next), one day of catch-up (a shorter worker outage still
 * gets its missed run), and a hash of the input so sync can tell when it changed.
 */
function weeklySchedule(config: Config, spec: {
  scheduleId: string;
  workflowType: Workflow;
  schedule: { dayOfWeek: DayOfWeek; hour: number; minute: number; timezone: string };
  input: object;
  typedSearchAttributes?: ScheduleOptionsStartWorkflowAction<Workflow>['typedSearchAttributes'];
}): ScheduleOptions {
  const { dayOfWeek, hour, minute, timezone } = spec.schedule;
  return {
    scheduleId: spec.scheduleId,
    spec: { calendars: [{ dayOfWeek, hour, minute }], timezone },
    action: {
      type: 'startWorkflow',
      workflowType: spec.workflowType,
      workflowId: spec.scheduleId,
      taskQueue: config.taskQueues.control,
      args: [spec.input],
      ...(spec.typedSearchAttributes && { typedSearchAttributes: spec.typedSearchAttributes }),
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    memo: { secopsScheduleHash: scheduleHash(spec.input) },
  };
}

function desiredSchedules(config: Config): ScheduleOptions[] {
  const scans = config.targets.map((target) => weeklySchedule(config, {
    scheduleId: dastScheduleId(target.id),
    workflowType: dastScan,
    schedule: target.schedule,
    input: dastScanInput(config, target, 'schedule'),
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.target, value: target.id }],
  }));
  // Through scheduledRotation: a rotation already running under rotate:<id> is never doubled.
  const rotations = config.credentials.flatMap((credential) => (credential.schedule ? [weeklySchedule(config, {
    scheduleId: rotationScheduleId(credential.id),
    workflowType: scheduledRotation,
    schedule: credential.schedule,
    input: credentialRotationInput(config, credential, 'schedule'),
  })] : []));
  return [...scans, ...rotations];
}

/** A schedule as it is now, or undefined when there is none of that id. */
function describeSchedule(client: Client, scheduleId: string): Promise<ScheduleDescription | undefined> {
  return client.schedule.getHandle(scheduleId).describe().catch((error: unknown) => {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  });
}

/**
 * Deployments may share a namespace (staging beside production, test runs on one dev
 * server), and a schedule's id says what it does, not whose it is. Its action's task queue
 * does: only the deployment whose control workers poll that queue runs what the schedule
 * starts, and sync puts the config's control queue in every schedule it makes.
 */
const isOwn = (description: ScheduleDescription, config: Config) => description.action.taskQueue === config.taskQueues.control;

/** The deployment's `dast:*` and `rotate-schedule:*` schedules, as far as the (eventually consistent) list shows them. */
async function ownSchedules(client: Client, config: Config): Promise<ScheduleDescription[]> {
  const own: ScheduleDescription[] = [];
  for await (const summary of client.schedule.list()) {
    if (!ofOurKind(summary.scheduleId)) continue;
    // The list's summaries leave out the task queue: only a describe has it.
    const description = await describeSchedule(client, summary.scheduleId);
    if (description && isOwn(description, config)) own.push(description);
  }
  return own;
}

/**
 * Makes the deployment's `dast:*` and `rotate-schedule:*` schedules match the config:
 * create, update, delete; idempotent. Another deployment's schedules are never touched; a
 * config that needs an id one of them holds is refused before anything changes.
 */
export async function syncSchedules(client: Client, config: Config): Promise<SyncResult> {
  const result: SyncResult = { created: [], updated: [], deleted: [], unchanged: [] };
  const wanted = desiredSchedules(config);
  // Each described by id rather than found in the list: the list shows a schedule a moment
  // after its create, and a sync right after another must not create it twice.
  const current = new Map<string, ScheduleDescription | undefined>();
  for (const desired of wanted) current.set(desired.scheduleId, await describeSchedule(client, desired.scheduleId));
  const taken = wanted.flatMap((desired) => {
    const holder = current.get(desired.scheduleId);
    return holder && !isOwn(holder, config) ? [`${desired.scheduleId} (task queue ${holder.action.taskQueue})`] : [];
  });
  if (taken.length > 0) {
    throw new Error(
      `schedules ${taken.join(', ')} start workflows on another task queue than ${config.taskQueues.control}: another deployment's, or this one's before its control queue was renamed. ` +
        'Nothing was changed; delete them where they belong (temporal schedule delete --schedule-id <id>) or rename the targets, then sync again',
    );
  }
  for (const desired of wanted) {
    const existing = current.get(desired.scheduleId);
    if (!existing) {
      await client.schedule.create(desired);
      result.created.push(desired.scheduleId);
    } else if (existing.memo?.secopsScheduleHash !== desired.memo?.secopsScheduleHash) {
      // Memo cannot be updated in place: recreate, keeping the paused state as the user left it.
      await client.schedule.getHandle(desired.scheduleId).delete();
      await client.schedule.create({ ...desired, state: { paused: existing.state.paused } });
      result.updated.push(desired.scheduleId);
    } else {
      result.unchanged.push(desired.scheduleId);
    }
  }
  // Schedules of targets gone from the config: only the list can name them.
  const orphans = (await ownSchedules(client, config)).map((description) => description.scheduleId).filter((id) => !current.has(id));
  for (const orphan of orphans.sort()) {
    await client.schedule.getHandle(orphan).delete();
    result.deleted.push(orphan);
  }
  return result;
}

export interface ScheduleRow {
  scheduleId: string;
  paused: boolean;
  nextRun?: Date;
  lastRun?: Date;
}

/**
 * The deployment's schedules, those sync manages: a person who lists, pauses or triggers
 * "the schedules" means the ones their config made, not a neighbour's of the same name.
 */
export async function listSchedules(client: Client, config: Config): Promise<ScheduleRow[]> {
  return (await ownSchedules(client, config))
    .map((description) => ({
      scheduleId: description.scheduleId,
      paused: description.state.paused,
      nextRun: description.info.nextActionTimes[0],
      lastRun: description.info.recentActions.at(-1)?.takenAt,
    }))
    .sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

/** The handle of a target's schedule in this deployment, or a clear error when it has none. */
export async function scheduleOf(client: Client, config: Config, targetId: string) {
  const handle = client.schedule.getHandle(dastScheduleId(targetId));
  const description = await describeSchedule(client, handle.scheduleId);
  if (!description) throw new Error(`no schedule for target ${targetId}: run secops schedules sync`);
  if (!isOwn(description, config)) {
    throw new Error(`the schedule of target ${targetId} belongs to another deployment (task queue ${description.action.taskQueue}, not ${config.taskQueues.control}); nothing was changed`);
  }
  return handle;
}

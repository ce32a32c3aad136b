import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type DayOfWeek, type ScheduleOptions, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { Config } from '../domain/config';
import { dastScanInput, dastScheduleId, scheduleHash } from '../domain/dast';
import { credentialRotationInput, rotationScheduleId } from '../domain/rotation';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';

/** The schedules this code owns: it creates, updates and deletes only these. */
const PREFIXES = [dastScheduleId(''), rotationScheduleId('')];
const managed = (scheduleId: string) => PREFIXES.some((prefix) => scheduleId.startsWith(prefix));

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
  workflowType: string;
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
    workflowType: 'dastScan',
    schedule: target.schedule,
    input: dastScanInput(config, target, 'schedule'),
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.target, value: target.id }],
  }));
  // Through scheduledRotation: a rotation already running under rotate:<id> is never doubled.
  const rotations = config.credentials.flatMap((credential) => (credential.schedule ? [weeklySchedule(config, {
    scheduleId: rotationScheduleId(credential.id),
    workflowType: 'scheduledRotation',
    schedule: credential.schedule,
    input: credentialRotationInput(config, credential, 'schedule'),
  })] : []));
  return [...scans, ...rotations];
}

/** Makes the `dast:*` and `rotate-schedule:*` schedules match the config: create, update, delete; idempotent. */
export async function syncSchedules(client: Client, config: Config): Promise<SyncResult> {
  const result: SyncResult = { created: [], updated: [], deleted: [], unchanged: [] };
  const existing = new Map<string, unknown>();
  for await (const summary of client.schedule.list()) {
    if (managed(summary.scheduleId)) existing.set(summary.scheduleId, summary.memo?.secopsScheduleHash);
  }
  for (const desired of desiredSchedules(config)) {
    const hash = desired.memo?.secopsScheduleHash;
    if (!existing.has(desired.scheduleId)) {
      await client.schedule.create(desired);
      result.created.push(desired.scheduleId);
    } else if (existing.get(desired.scheduleId) !== hash) {
      // Memo cannot be updated in place: recreate, keeping the paused state as the user left it.
      const handle = client.schedule.getHandle(desired.scheduleId);
      const paused = (await handle.describe()).state.paused;
      await handle.delete();
      await client.schedule.create({ ...desired, state: { paused } });
      result.updated.push(desired.scheduleId);
    } else {
      result.unchanged.push(desired.scheduleId);
    }
    existing.delete(desired.scheduleId);
  }
  for (const orphan of [...existing.keys()].sort()) {
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

export async function listSchedules(client: Client): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  for await (const summary of client.schedule.list()) {
    if (!managed(summary.scheduleId)) continue;
    rows.push({
      scheduleId: summary.scheduleId,
      paused: summary.state.paused,
      nextRun: summary.info.nextActionTimes[0],
      lastRun: summary.info.recentActions.at(-1)?.takenAt,
    });
  }
  return rows.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

/** The handle of a target's schedule, or a clear error when it does not exist. */
export async function scheduleOf(client: Client, targetId: string) {
  const handle = client.schedule.getHandle(dastScheduleId(targetId));
  try {
    await handle.describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw new Error(`no schedule for target ${targetId}: run secops schedules sync`);
    throw error;
  }
  return handle;
}

import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Config, Target } from '../domain/config';
import type { CredentialConfig } from '../domain/credential';
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

/** What the schedule of one target should be: its calendar, overlap SKIP, a day of catch-up. */
function desiredSchedule(config: Config, target: Target): ScheduleOptions {
  const input = dastScanInput(config, target, 'schedule');
  const { dayOfWeek, hour, minute, timezone } = target.schedule;
  return {
    scheduleId: dastScheduleId(target.id),
    spec: { calendars: [{ dayOfWeek, hour, minute }], timezone },
    action: {
      type: 'startWorkflow',
      workflowType: 'dastScan',
      workflowId: dastScheduleId(target.id),
      taskQueue: config.taskQueues.control,
      args: [input],
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.target, value: target.id }],
    },
    // A scan still running when the next is due: skip the next. A worker outage shorter than a
    // day still gets its missed scan.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    memo: { secopsScheduleHash: scheduleHash(input) },
  };
}

/** A credential's rotation schedule: at most one rotation at a time, through scheduledRotation. */
function desiredRotationSchedule(config: Config, credential: CredentialConfig & { schedule: NonNullable<CredentialConfig['schedule']> }): ScheduleOptions {
  const input = credentialRotationInput(config, credential, 'schedule');
  const { dayOfWeek, hour, minute, timezone } = credential.schedule;
  return {
    scheduleId: rotationScheduleId(credential.id),
    spec: { calendars: [{ dayOfWeek, hour, minute }], timezone },
    action: { type: 'startWorkflow', workflowType: 'scheduledRotation', workflowId: rotationScheduleId(credential.id), taskQueue: config.taskQueues.control, args: [input] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    memo: { secopsScheduleHash: scheduleHash(input) },
  };
}

function desiredSchedules(config: Config): ScheduleOptions[] {
  const rotations = config.credentials.flatMap((c) => (c.schedule ? [desiredRotationSchedule(config, { ...c, schedule: c.schedule })] : []));
  return [...config.targets.map((target) => desiredSchedule(config, target)), ...rotations];
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

import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Config, Target } from '../domain/config';
import { dastScanInput, dastScheduleId, scheduleHash } from '../domain/dast';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';

const PREFIX = dastScheduleId('');

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

/** Makes the `dast:*` schedules match the config: create, update, delete; idempotent. */
export async function syncSchedules(client: Client, config: Config): Promise<SyncResult> {
  const result: SyncResult = { created: [], updated: [], deleted: [], unchanged: [] };
  const existing = new Map<string, unknown>();
  for await (const summary of client.schedule.list()) {
    if (summary.scheduleId.startsWith(PREFIX)) existing.set(summary.scheduleId, summary.memo?.secopsScheduleHash);
  }
  for (const target of config.targets) {
    const desired = desiredSchedule(config, target);
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
  for (const orphan of existing.keys()) {
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
    if (!summary.scheduleId.startsWith(PREFIX)) continue;
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

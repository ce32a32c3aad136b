import type { Client } from '@temporalio/client';
import type { Principal } from '../domain/approval-rules';
import type { Config } from '../domain/config';
import { scheduleOf } from './schedules';

export type ScheduleAction = 'pause' | 'unpause' | 'trigger';

/** Pauses, unpauses or triggers a target's schedule in this deployment; the note on a (un)pause says who did it. */
export async function actOnSchedule(client: Client, config: Config, targetId: string, action: ScheduleAction, by: Principal): Promise<string> {
  const handle = await scheduleOf(client, config, targetId);
  if (action === 'trigger') await handle.trigger();
  else await handle[action](`${action} by ${by}`);
  return handle.scheduleId;
}

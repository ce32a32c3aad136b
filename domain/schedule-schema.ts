import { z } from 'zod';
import { durationProblem } from './duration';

const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
type Day = (typeof DAYS)[number];

const timezone = z.string().refine(isKnownTimezone, { message: 'must be an IANA time zone such as Europe/Paris' });

/** A weekly calendar slot (what Temporal Schedules run on); each kind of schedule has its own default slot. */
export function weeklyScheduleSchema(defaults: { dayOfWeek: Day; hour: number }) {
  return z.strictObject({
    dayOfWeek: z.enum(DAYS).default(defaults.dayOfWeek),
    hour: z.number().int().min(0).max(23).default(defaults.hour),
    minute: z.number().int().min(0).max(59).default(0),
    timezone: timezone.default('UTC'),
  });
}

/** `30m`, `4h`, `2 days`, at most MAX_DURATION_DAYS: the forms domain/duration.ts converts, bounded as it says. */
export const durationSchema = z.string().superRefine((value, ctx) => {
  const problem = durationProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

function isKnownTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

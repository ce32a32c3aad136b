import { z } from 'zod';

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

/** `30m`, `4h`, `2 days`: the forms domain/duration.ts converts. */
export const durationSchema = z.string().regex(/^\d+\s*(s|m|h|d|seconds?|minutes?|hours?|days?)$/, 'must be a duration such as 30m, 4h or 2d');

function isKnownTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

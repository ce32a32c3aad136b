import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick a date');

/**
 * The accepted-risk date picker's day → when the acceptance ends: the risk is accepted
 * through that whole day (UTC), so the finding counts again from the next midnight. The
 * day must be after today: an acceptance that has already ended would suppress nothing.
 */
export function acceptedUntil(value: string, now: Date): { expiresAt: string } | { problem: string } {
  const parsed = day.safeParse(value);
  if (!parsed.success) return { problem: 'pick the last day the risk stays accepted' };
  const end = new Date(`${parsed.data}T00:00:00.000Z`);
  // Date rolls 2030-02-30 over to March: only a day that reads back the same exists.
  if (Number.isNaN(end.getTime()) || end.toISOString().slice(0, 10) !== parsed.data) return { problem: 'pick a valid date' };
  end.setUTCDate(end.getUTCDate() + 1);
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  if (end <= tomorrow) return { problem: 'the date must be in the future (after today)' };
  return { expiresAt: end.toISOString() };
}

const ticketUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, such as https://tracker.example.com/SEC-123' }).max(2000, 'must be at most 2000 characters');

/** A ticket link shown in reports and Slack: http(s) only, so it cannot be a javascript: or file: link. */
export function ticketLink(value: string): { url: string } | { problem: string } {
  const parsed = ticketUrl.safeParse(value);
  return parsed.success ? { url: parsed.data } : { problem: parsed.error.issues[0]?.message ?? 'must be an http(s) URL' };
}

/** A triage reason is kept in the store and shown in every report: a paragraph is plenty. */
export const MAX_TRIAGE_REASON = 2000;

/** A problem with a triage reason's length, or undefined; Slack's max_length is only a hint to its client, so the server checks too. */
export function reasonLengthProblem(reason: string | undefined): string | undefined {
  return reason !== undefined && reason.length > MAX_TRIAGE_REASON ? `must be at most ${MAX_TRIAGE_REASON} characters` : undefined;
}

/**
 * What a Slack request writes is keyed by its trigger_id, which Slack makes unique per
 * click or submission: a replayed signed request writes nothing new.
 */
export function slackIdempotencyKey(triggerId: string): string {
  return `slack/${triggerId}`;
}

import { ErrorCode } from '@slack/web-api';

/**
 * The error Slack answered a Web API call with (`channel_not_found`, `expired_trigger_id`, …),
 * or undefined when the call failed otherwise (network, rate limit, a bug of ours).
 */
export function slackPlatformErrorCode(error: unknown): string | undefined {
  const coded = error as { code?: unknown; data?: { error?: unknown } } | undefined;
  return coded?.code === ErrorCode.PlatformError && typeof coded.data?.error === 'string' ? coded.data.error : undefined;
}

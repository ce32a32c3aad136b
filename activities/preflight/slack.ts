import type { WebClient } from '@slack/web-api';
import type { CheckResult } from '../../domain/preflight';

export function createSlackChecks(slack: WebClient | undefined) {
  return {
    /** Slack is optional: without it approvals and answers go through the CLI. */
    async checkSlack(): Promise<CheckResult> {
      if (!slack) return { check: 'slack', status: 'ok', detail: 'not configured: approvals through `secops approvals`' };
      try {
        const auth = await slack.auth.test();
        return { check: 'slack', status: 'ok', detail: `connected to ${auth.team ?? auth.team_id} as ${auth.user ?? auth.user_id}` };
      } catch (error) {
        return { check: 'slack', status: 'failed', detail: `SLACK_BOT_TOKEN rejected or Slack unreachable: ${(error as Error).message}` };
      }
    },
  };
}

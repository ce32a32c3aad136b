import type { WebClient } from '@slack/web-api';
import { log } from '@temporalio/activity';

const TTL_MS = 60_000;

/**
 * Members of Slack user groups, for approval policies. Cached briefly: a burst of approval
 * requests asks Slack once, and a membership change still counts within a minute.
 */
export function createSlackGroupActivities(slack: WebClient | undefined, now: () => number = Date.now) {
  const cache = new Map<string, { members: string[]; at: number }>();
  return {
    async resolveSlackGroups(groupIds: string[]): Promise<Record<string, string[]>> {
      if (groupIds.length === 0) return {};
      if (!slack) {
        log.warn(`Slack is not configured: user groups ${groupIds.join(', ')} have no members here`);
        return {};
      }
      const entries = await Promise.all(groupIds.map(async (id) => {
        const hit = cache.get(id);
        if (hit && now() - hit.at < TTL_MS) return [id, hit.members] as const;
        const response = await slack.usergroups.users.list({ usergroup: id });
        const members = response.users ?? [];
        cache.set(id, { members, at: now() });
        return [id, members] as const;
      }));
      return Object.fromEntries(entries);
    },
  };
}

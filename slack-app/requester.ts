import type { WebClient } from '@slack/web-api';
import type { Requester } from '../client/authorize';

/**
 * The person behind a request Bolt verified, as authorization sees them: their Slack user
 * id, and the user groups they are in among those a rule names (asked of Slack each time:
 * a removal from a group takes effect at once).
 */
export function slackRequester(web: WebClient, userId: string): Requester {
  return {
    who: `slack:${userId}`,
    groupsIn: async (groups) => {
      const member: string[] = [];
      for (const usergroup of groups) {
        const response = await web.usergroups.users.list({ usergroup });
        if (response.users?.includes(userId)) member.push(usergroup);
      }
      return member;
    },
  };
}

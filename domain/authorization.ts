import { z } from 'zod';
import type { Principal } from './approval-rules';
import { slackGroupIdSchema, slackUserIdSchema } from './slack-ids';
import { cliUserNameSchema } from './cli-user-name';

/**
 * Who may ask for what. Approvals decide whether a started action goes ahead; these
 * policies decide who may start it, or see it, at all. Each command action names Slack
 * users, Slack user groups and CLI users; an action that destroys or reveals something is
 * denied to everyone until a policy names someone.
 */
export const COMMAND_ACTIONS = {
  /** Start a scan of a configured target. Active profiles still wait on their approval. */
  'dast.scan': { defaultAllowed: true, what: 'start a scan' },
  /** Triage a finding (false positive, accepted risk, ticket): it changes what later scans report. */
  'dast.triage': { defaultAllowed: false, what: 'triage findings' },
  /** Start a credential rotation: it changes a live password. */
  'rotation.start': { defaultAllowed: false, what: 'start a credential rotation' },
  /** Open an incident with a playbook: it pages responders; destructive steps still wait on their approvals. */
  'incident.start': { defaultAllowed: true, what: 'open an incident' },
  /** Read a run's status, which includes its failure message. */
  'run.status': { defaultAllowed: false, what: 'read run status' },
} as const;

export type CommandAction = keyof typeof COMMAND_ACTIONS;


export const commandPolicySchema = z.strictObject({
  users: z.array(slackUserIdSchema).default([]),
  groups: z.array(slackGroupIdSchema).default([]),
  cliUsers: z.array(cliUserNameSchema).default([]),
});
export type CommandPolicy = z.infer<typeof commandPolicySchema>;

export const authorizationSchema = z
  .partialRecord(z.enum(Object.keys(COMMAND_ACTIONS) as [CommandAction, ...CommandAction[]]), commandPolicySchema)
  .default({});
export type Authorization = z.infer<typeof authorizationSchema>;

/**
 * Why `who` may not do `action`, or undefined when they may. `groupsOf` gives the Slack
 * user groups the person is in (resolved by the caller, who can reach Slack).
 */
export function commandRefusal(authorization: Authorization, action: CommandAction, who: Principal, groupsOf: readonly string[] = []): string | undefined {
  const policy = authorization[action];
  // A CLI caller got here through Temporal's own authentication (mTLS or an API key), a Slack
  // caller through workspace membership alone: without a rule, only the first is trusted.
  if (!policy) return COMMAND_ACTIONS[action].defaultAllowed || who.startsWith('cli:') ? undefined : `nobody may ${COMMAND_ACTIONS[action].what} from Slack until the config's authorization."${action}" names who may`;
  if (memberOf(policy, who, groupsOf)) return undefined;
  return `${who} may not ${COMMAND_ACTIONS[action].what}: authorization."${action}" does not name you or a group you are in`;
}

/** Whether a policy-like list (users, groups, CLI users) names `who`. */
export function memberOf(policy: CommandPolicy, who: Principal, groupsOf: readonly string[]): boolean {
  if (who.startsWith('cli:')) return policy.cliUsers.includes(who.slice(4));
  const user = who.slice('slack:'.length);
  return policy.users.includes(user) || policy.groups.some((group) => groupsOf.includes(group));
}

/** The groups a policy for `action` names, so a front end resolves only those. */
export function groupsNamedFor(authorization: Authorization, action: CommandAction): string[] {
  return authorization[action]?.groups ?? [];
}

import { z } from 'zod';
import { durationSchema } from './schedule-schema';
import { parsePublicKey } from './signing-key';
import { slackGroupIdSchema, slackUserIdSchema } from './slack-ids';
import { cliUserNameSchema } from './cli-user-name';

/**
 * Approval policies as the config writes them: who may approve, how many must, and what
 * happens when nobody does. Parsed by the config alone; what the gate applies while a
 * workflow runs (who may vote, which keys it trusts) is in approval-rules.ts, which workflow
 * code imports instead of this module, so that no run builds these schemas.
 */

/** An OpenSSH ed25519 public key line, wherever the config names a ballot-signing key. */
export const publicKeySchema = z.string().superRefine((line, ctx) => {
  const parsed = parsePublicKey(line);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/** A CLI approver is a name and the public key their ballots are signed with (`secops keys init`). */
const cliUser = z.strictObject({
  name: cliUserNameSchema,
  publicKey: publicKeySchema,
});

const approversSchema = z.strictObject({
  users: z.array(slackUserIdSchema).default([]),
  groups: z.array(slackGroupIdSchema).default([]),
  cliUsers: z.array(cliUser).default([]),
});

export const approvalPolicySchema = z
  .strictObject({
    approvers: approversSchema,
    quorum: z.number().int().min(1).max(10).default(1),
    /** The requester may not approve their own request. */
    fourEyes: z.boolean().default(true),
    /** How long each step waits before escalating (or, after the last, expiring). */
    timeout: durationSchema.default('4h'),
    escalation: z.array(z.strictObject({ after: durationSchema, approvers: approversSchema, channel: z.string().optional() })).default([]),
    onExpiry: z.enum(['reject', 'approve']).default('reject'),
    /** Only a low-risk action may be approved by default on expiry. */
    lowRisk: z.boolean().default(false),
  })
  .superRefine((policy, ctx) => {
    if (policy.onExpiry === 'approve' && !policy.lowRisk) {
      ctx.addIssue({ code: 'custom', path: ['onExpiry'], message: 'approve on expiry is only allowed for actions marked lowRisk' });
    }
    const { users, groups, cliUsers } = policy.approvers;
    if (users.length + groups.length + cliUsers.length === 0) ctx.addIssue({ code: 'custom', path: ['approvers'], message: 'must name at least one approver, group or CLI user' });
    if (policy.quorum > users.length + cliUsers.length && groups.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['quorum'], message: `${policy.quorum} approvals can never be reached by ${users.length + cliUsers.length} named approver(s)` });
    }
  });

/**
 * A policy as the gate gets it: the config's, plus the Slack app's public key (config
 * `slackApp.publicKey`), copied in by gatePolicyOf so each run carries the keys it trusts.
 */
export type ApprovalPolicy = z.infer<typeof approvalPolicySchema> & { slackAppPublicKey?: string };
export type Approvers = ApprovalPolicy['approvers'];

/** Action kinds that need a policy when used, e.g. `dast.active-scan`, `rotation.promote`. */
export const actionKind = z.string().regex(/^[a-z]+(\.[a-z-]+)+$/, 'must be an action kind such as dast.active-scan');

import { z } from 'zod';
import { trustedKeys, type Ballot, type TrustedKey } from './ballot';
import { durationSchema } from './schedule-schema';
import { parsePublicKey } from './signing-key';
import { slackGroupIdSchema, slackUserIdSchema } from './slack-ids';
import { cliUserNameSchema } from './cli-user-name';

/**
 * Approvals: the one way people steer workflows. A principal is `slack:<user id>` or
 * `cli:<name>`; policies name who may approve, how many must, and what happens when
 * nobody does.
 */
export type Principal = `slack:${string}` | `cli:${string}`;

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

/** The config's policy for `kind`, as a workflow's input carries it to the gate; undefined when none. */
export function gatePolicyOf(config: { approvals: Record<string, ApprovalPolicy>; slackApp?: { publicKey: string } | undefined }, kind: string): ApprovalPolicy | undefined {
  const policy = config.approvals[kind];
  return policy && { ...policy, ...(config.slackApp && { slackAppPublicKey: config.slackApp.publicKey }) };
}
export type Approvers = ApprovalPolicy['approvers'];

/** Action kinds that need a policy when used, e.g. `dast.active-scan`, `rotation.promote`. */
export const actionKind = z.string().regex(/^[a-z]+(\.[a-z-]+)+$/, 'must be an action kind such as dast.active-scan');

export interface ApprovalRequest {
  action: string;
  summary: string;
  details?: string;
  risk: 'low' | 'medium' | 'high';
  /** A person, a scheduled run, or an incident an alert opened. */
  requestedBy: Principal | 'schedule' | 'alert';
}

export interface ApprovalDecision {
  approved: boolean;
  decidedBy: Principal[];
  /** ISO 8601. */
  at: string;
  reason: string;
}

export interface PendingApproval extends ApprovalRequest {
  approvalId: string;
  workflowId: string;
  quorum: number;
  approvals: Principal[];
  /** Everyone allowed to vote right now (groups resolved). */
  allowed: Principal[];
  expiresAt: string;
  /** The policy's four-eyes rule, as the pendingApprovals query reports it (absent from runs started before it did: take it as on). */
  fourEyes?: boolean;
}

/**
 * Why a ballot is refused, or undefined when it counts. Pure, so the workflow's Update
 * validator and the front ends (Slack, CLI) give the same answer.
 */
export function refusal(ballot: Pick<Ballot, 'approvalId' | 'voter' | 'vote' | 'reason'>, pending: Pick<PendingApproval, 'approvalId' | 'allowed' | 'approvals' | 'requestedBy'> | undefined, fourEyes: boolean): string | undefined {
  if (!pending) return `approval ${ballot.approvalId} is not pending (decided, expired or unknown)`;
  if (!pending.allowed.includes(ballot.voter)) return `${ballot.voter} is not an approver for this request`;
  if (fourEyes && ballot.voter === pending.requestedBy) return 'four-eyes: the requester cannot approve their own request';
  if (pending.approvals.includes(ballot.voter)) return `${ballot.voter} has already voted`;
  if (ballot.vote === 'reject' && !ballot.reason?.trim()) return 'a rejection needs a reason';
  return undefined;
}

/** Whether `me` may vote on `approval` now: an approval ballot from `me` would not be refused. */
export function mayStillVote(approval: PendingApproval, me: Principal): boolean {
  return refusal({ approvalId: approval.approvalId, voter: me, vote: 'approve' }, approval, approval.fourEyes ?? true) === undefined;
}

export function principalsOf(approvers: Approvers, groupMembers: Record<string, string[]>): Principal[] {
  const slack = [...approvers.users, ...approvers.groups.flatMap((g) => groupMembers[g] ?? [])].map((u) => `slack:${u}` as const);
  const cli = approvers.cliUsers.map((u) => `cli:${cliUserName(u)}` as const);
  return [...new Set<Principal>([...slack, ...cli])];
}

/** Runs started before signed ballots carry CLI approvers as bare names. */
function cliUserName(user: Approvers['cliUsers'][number] | string): string {
  return typeof user === 'string' ? user : user.name;
}

/**
 * The keys whose ballots this policy's gate accepts: each CLI approver's own (every
 * escalation step's too), and the Slack app's for any Slack voter. A run started before
 * signed ballots has none, so nothing can be forged into it; its approvals expire by policy.
 */
export function trustedKeysOf(policy: ApprovalPolicy): Map<string, TrustedKey> {
  return trustedKeys({ cliUsers: cliUsersOf(policy), ...(policy.slackAppPublicKey && { slackAppPublicKey: policy.slackAppPublicKey }) });
}

/** The CLI users a policy names with their keys, every escalation step's too (runs from before keys named users alone: skipped). */
export function cliUsersOf(policy: Pick<ApprovalPolicy, 'approvers' | 'escalation'>): { name: string; publicKey: string }[] {
  return [policy.approvers, ...policy.escalation.map((step) => step.approvers)]
    .flatMap((approvers) => approvers.cliUsers as (Approvers['cliUsers'][number] | string)[])
    .filter((user): user is Approvers['cliUsers'][number] => typeof user !== 'string');
}

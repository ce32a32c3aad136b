import { z } from 'zod';
import { durationSchema } from './schedule-schema';
import { slackUserIdSchema } from './slack-ids';

/**
 * Approvals: the one way people steer workflows. A principal is `slack:<user id>` or
 * `cli:<name>`; policies name who may approve, how many must, and what happens when
 * nobody does.
 */
export type Principal = `slack:${string}` | `cli:${string}`;

const slackGroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group id (S…)');
const cliUser = z.string().regex(/^[a-z_][a-z0-9_.-]{0,63}$/, 'must be a user name');

const approversSchema = z.strictObject({
  users: z.array(slackUserIdSchema).default([]),
  groups: z.array(slackGroupId).default([]),
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

export type ApprovalPolicy = z.infer<typeof approvalPolicySchema>;
export type Approvers = ApprovalPolicy['approvers'];

/** Action kinds that need a policy when used, e.g. `dast.active-scan`, `rotation.promote`. */
export const actionKind = z.string().regex(/^[a-z]+(\.[a-z-]+)+$/, 'must be an action kind such as dast.active-scan');

export interface ApprovalRequest {
  action: string;
  summary: string;
  details?: string;
  risk: 'low' | 'medium' | 'high';
  requestedBy: Principal | 'schedule';
}

export type Vote = 'approve' | 'reject';

/** What an approver sends through the `decide` Update. */
export interface Ballot {
  approvalId: string;
  voter: Principal;
  vote: Vote;
  reason?: string;
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
export function refusal(ballot: Ballot, pending: Pick<PendingApproval, 'approvalId' | 'allowed' | 'approvals' | 'requestedBy'> | undefined, fourEyes: boolean): string | undefined {
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
  const cli = approvers.cliUsers.map((u) => `cli:${u}` as const);
  return [...new Set<Principal>([...slack, ...cli])];
}

import type { ApprovalPolicy, Approvers } from './approval';
import { trustedKeys, type Ballot, type TrustedKey } from './ballot';

/**
 * Approvals: the one way people steer workflows. A principal is `slack:<user id>` or
 * `cli:<name>`; policies name who may approve, how many must, and what happens when
 * nobody does.
 *
 * This module holds what an approval gate applies while it runs: who may vote, whose vote
 * counts, which keys it trusts. The policy's schema, which only the config parses, is in
 * approval.ts: the workflow bundle evaluates what it imports once for every run
 * (lazy-schema.ts), and the gate imports this module, not that one.
 */
export type Principal = `slack:${string}` | `cli:${string}`;

/** The config's policy for `kind`, as a workflow's input carries it to the gate; undefined when none. */
export function gatePolicyOf(config: { approvals: Record<string, ApprovalPolicy>; slackApp?: { publicKey: string } | undefined }, kind: string): ApprovalPolicy | undefined {
  const policy = config.approvals[kind];
  return policy && { ...policy, ...(config.slackApp && { slackAppPublicKey: config.slackApp.publicKey }) };
}

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

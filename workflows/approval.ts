import {
  allHandlersFinished, condition, defineQuery, defineUpdate, patched, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ApprovalPolicy } from '../domain/approval';
import {
  principalsOf, refusal, trustedKeysOf, type ApprovalDecision, type ApprovalRequest, type PendingApproval, type Principal,
} from '../domain/approval-rules';
import { approvalIdOf } from '../domain/approval-id';
import { ballotProblem, unsignedPart, type Ballot, type TrustedKey } from '../domain/ballot';
import { durationMs } from '../domain/duration';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';

/** Approvers vote through this Update; its validator refuses a ballot without a trace in history. */
export const decideUpdate = defineUpdate<PendingApproval | ApprovalDecision, [Ballot]>('decide');
/** What this run waits on: the CLI, the Slack app and App Home read it. */
export const pendingApprovalsQuery = defineQuery<PendingApproval[]>('pendingApprovals');

interface OpenApproval {
  view: PendingApproval;
  policy: ApprovalPolicy;
  /** The keys whose ballots count here (none for runs started before signed ballots). */
  trusted: Map<string, TrustedKey>;
  /** Voters whose ballot is being audited: counted once the audit row exists, refused meanwhile. */
  voting: Set<Principal>;
  decision?: ApprovalDecision;
  message?: { channel: string; ts: string };
}

// Workflow module state is per run (each run has its own isolate context).
const open = new Map<string, OpenApproval>();
let sequence = 0;
let handlersInstalled = false;

const activities = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 10 } });

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Queries leave no trace in history: the four-eyes flag joins the view here, not in what activities were given.
  setHandler(pendingApprovalsQuery, () => [...open.values()].filter((a) => !a.decision).map((a) => ({ ...a.view, fourEyes: a.policy.fourEyes })));
  setHandler(
    decideUpdate,
    async (ballot) => {
      const approval = open.get(ballot.approvalId)!;
      // Runs recorded before this patch counted first and audited after; their histories keep that order.
      if (!patched('ballot-audited-before-counted')) {
        count(approval, ballot);
        await activities.recordAuditEvent(ballotAudit(approval, ballot));
        return approval.decision ?? approval.view;
      }
      approval.voting.add(ballot.voter);
      try {
        await activities.recordAuditEvent(ballotAudit(approval, ballot));
      } finally {
        approval.voting.delete(ballot.voter);
      }
      if (!approval.decision) count(approval, ballot);
      return approval.decision ?? approval.view;
    },
    {
      validator: (ballot) => {
        if (typeof ballot !== 'object' || ballot === null) throw new Error('malformed ballot: not an object');
        const approval = open.get(ballot.approvalId);
        const pending = approval && !approval.decision ? approval : undefined;
        const problem = (pending && ballotProblem(ballot, pending.trusted, Date.now()))
          ?? (pending?.voting.has(ballot.voter) ? `${ballot.voter} has a vote being recorded` : undefined)
          ?? refusal(ballot, pending?.view, approval?.policy.fourEyes ?? true);
        if (problem) throw new Error(problem);
      },
    },
  );
}

function count(approval: OpenApproval, ballot: Ballot): void {
  const at = new Date().toISOString();
  if (ballot.vote === 'reject') {
    approval.decision = { approved: false, decidedBy: [ballot.voter], at, reason: ballot.reason ?? '' };
    return;
  }
  approval.view.approvals.push(ballot.voter);
  if (approval.view.approvals.length >= approval.view.quorum) {
    approval.decision = { approved: true, decidedBy: [...approval.view.approvals], at, reason: `approved by ${approval.view.approvals.length} of ${approval.view.quorum}` };
  }
}

/** The vote's audit row, with the signed ballot so `secops audit verify` can check it again. */
function ballotAudit(approval: OpenApproval, ballot: Ballot) {
  const signed = 'signature' in ballot && typeof ballot.signature === 'string';
  return {
    actor: ballot.voter, action: `approval.${ballot.vote}`, subject: ballot.approvalId, outcome: 'allowed' as const,
    details: { action: approval.view.action, reason: ballot.reason ?? null, ...(signed && { ballot: unsignedPart(ballot) }) },
    ...(signed && { signature: ballot.signature, keyId: ballot.keyId }),
    idempotencyKey: `${ballot.approvalId}/${ballot.voter}`,
  };
}

/**
 * Asks for approval and waits: quorum of distinct approvals, any rejection ends it. After
 * each step's timeout the request escalates to the next group; after the last, the
 * policy's default applies. Every accepted vote and the outcome go to the audit store.
 */
export async function requestApproval(request: ApprovalRequest, policy: ApprovalPolicy): Promise<ApprovalDecision> {
  installHandlers();
  // Ids unique per run: a rotation repeats its workflow id, its audit rows and ballots must not repeat.
  const approvalId = approvalIdOf(workflowInfo().workflowId, ++sequence, patched('approval-id-per-run') ? workflowInfo().runId : undefined);
  const steps = [{ after: policy.timeout, approvers: policy.approvers, channel: undefined as string | undefined }, ...policy.escalation];
  const allowed = new Set<Principal>(principalsOf(policy.approvers, await activities.resolveSlackGroups(policy.approvers.groups)));
  const approval: OpenApproval = {
    policy,
    trusted: trustedKeysOf(policy),
    voting: new Set(),
    view: { ...request, approvalId, workflowId: workflowInfo().workflowId, quorum: policy.quorum, approvals: [], allowed: [...allowed], expiresAt: '' },
  };
  open.set(approvalId, approval);
  setPendingFlag();

  for (const [index, step] of steps.entries()) {
    if (index > 0) {
      const members = await activities.resolveSlackGroups(step.approvers.groups);
      for (const principal of principalsOf(step.approvers, members)) allowed.add(principal);
      approval.view.allowed = [...allowed];
    }
    approval.view.expiresAt = new Date(Date.now() + durationMs(step.after)).toISOString();
    if (index === 0) approval.message = await activities.postApprovalRequest({ pending: approval.view });
    else await activities.postApprovalEscalation({ pending: approval.view, step: index, channel: step.channel });
    await activities.recordAuditEvent({ actor: 'system', action: index === 0 ? 'approval.requested' : 'approval.escalated', subject: approvalId, outcome: 'succeeded', details: { action: request.action, step: index }, idempotencyKey: `${approvalId}/step-${index}` });
    if (await condition(() => approval.decision !== undefined, durationMs(step.after))) break;
  }

  approval.decision ??= {
    approved: policy.onExpiry === 'approve' && policy.lowRisk,
    decidedBy: [],
    at: new Date().toISOString(),
    reason: `expired without a decision; policy default: ${policy.onExpiry === 'approve' && policy.lowRisk ? 'approve (low risk)' : 'reject'}`,
  };
  const decision = approval.decision;
  await condition(allHandlersFinished);
  setPendingFlag();
  await activities.recordAuditEvent({ actor: 'system', action: 'approval.decided', subject: approvalId, outcome: decision.approved ? 'succeeded' : 'failed', details: { ...decision }, idempotencyKey: `${approvalId}/decided` });
  await activities.updateApprovalMessage({ pending: approval.view, decision, message: approval.message });
  return decision;
}

function setPendingFlag(): void {
  const waiting = [...open.values()].some((a) => !a.decision);
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.approvalPending, value: waiting }]);
}

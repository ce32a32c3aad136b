import {
  allHandlersFinished, condition, defineQuery, defineUpdate, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  principalsOf, refusal, type ApprovalDecision, type ApprovalPolicy, type ApprovalRequest, type Ballot, type PendingApproval, type Principal,
} from '../domain/approval';
import { approvalIdOf } from '../domain/approval-id';
import { durationMs } from '../domain/duration';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';

/** Approvers vote through this Update; its validator refuses a ballot without a trace in history. */
export const decideUpdate = defineUpdate<PendingApproval | ApprovalDecision, [Ballot]>('decide');
/** What this run waits on: the CLI, the Slack app and App Home read it. */
export const pendingApprovalsQuery = defineQuery<PendingApproval[]>('pendingApprovals');

interface OpenApproval {
  view: PendingApproval;
  policy: ApprovalPolicy;
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
      const at = new Date().toISOString();
      if (ballot.vote === 'reject') {
        approval.decision = { approved: false, decidedBy: [ballot.voter], at, reason: ballot.reason ?? '' };
      } else {
        approval.view.approvals.push(ballot.voter);
        if (approval.view.approvals.length >= approval.view.quorum) {
          approval.decision = { approved: true, decidedBy: [...approval.view.approvals], at, reason: `approved by ${approval.view.approvals.length} of ${approval.view.quorum}` };
        }
      }
      await activities.recordAuditEvent({
        actor: ballot.voter, action: `approval.${ballot.vote}`, subject: ballot.approvalId, outcome: 'allowed',
        details: { action: approval.view.action, reason: ballot.reason ?? null }, idempotencyKey: `${ballot.approvalId}/${ballot.voter}`,
      });
      return approval.decision ?? approval.view;
    },
    {
      validator: (ballot) => {
        const approval = open.get(ballot.approvalId);
        const problem = refusal(ballot, approval && !approval.decision ? approval.view : undefined, approval?.policy.fourEyes ?? true);
        if (problem) throw new Error(problem);
      },
    },
  );
}

/**
 * Asks for approval and waits: quorum of distinct approvals, any rejection ends it. After
 * each step's timeout the request escalates to the next group; after the last, the
 * policy's default applies. Every accepted vote and the outcome go to the audit store.
 */
export async function requestApproval(request: ApprovalRequest, policy: ApprovalPolicy): Promise<ApprovalDecision> {
  installHandlers();
  const approvalId = approvalIdOf(workflowInfo().workflowId, ++sequence);
  const steps = [{ after: policy.timeout, approvers: policy.approvers, channel: undefined as string | undefined }, ...policy.escalation];
  const allowed = new Set<Principal>(principalsOf(policy.approvers, await activities.resolveSlackGroups(policy.approvers.groups)));
  const approval: OpenApproval = {
    policy,
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

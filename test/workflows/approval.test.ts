import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { approvalPolicySchema } from '../../domain/approval';
import type { ApprovalDecision, PendingApproval } from '../../domain/approval-rules';
import type { VoteIntent } from '../../client/ballot-signer';
import { signedBallot, testCliUser, testPublicKey, SLACK_APP_KEY } from '../support/test-ballots';
import type { Ballot } from '../../domain/ballot';
import { decideUpdate as decide } from '../../workflows/approval';
import type { AuditEventInput } from '../../store/audit-events';
import { startTimeSkipping } from '../support/time-skipping';
import { waitUntil } from '../../processes/wait-until';
import { decideUpdate, pendingApprovalsQuery } from '../../workflows/approval';

interface Recorded {
  audit: AuditEventInput[];
  posted: PendingApproval[];
  escalations: { step: number; allowed: string[] }[];
  updated: ApprovalDecision[];
}

/** createActivities-shaped fakes for what the gate touches: groups, Slack posts, audit. */
function fakeActivities(recorded: Recorded, groups: Record<string, string[]>): Activities {
  return {
    resolveSlackGroups: async (ids: string[]) => Object.fromEntries(ids.map((id) => [id, groups[id] ?? []])),
    postApprovalRequest: async ({ pending }: { pending: PendingApproval }) => (recorded.posted.push(pending), { channel: 'C1', ts: '1.1' }),
    postApprovalEscalation: async ({ pending, step }: { pending: PendingApproval; step: number }) => void recorded.escalations.push({ step, allowed: pending.allowed }),
    updateApprovalMessage: async ({ decision }: { decision: ApprovalDecision }) => void recorded.updated.push(decision),
    recordAuditEvent: async (event: AuditEventInput) => void recorded.audit.push(event),
  } as unknown as Activities;
}

const request = { action: 'incident.containment', summary: 'Isolate host web-1', risk: 'high' as const, requestedBy: 'slack:UREQ' as const };

describe('approval gate (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let recorded: Recorded;
  let running: Promise<void>;
  let n = 0;

  beforeAll(async () => {
    env = await startTimeSkipping();
    recorded = { audit: [], posted: [], escalations: [], updated: [] };
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'approvals',
      workflowsPath: path.join(__dirname, 'fixtures', 'approval-harness.ts'),
      activities: fakeActivities(recorded, { SONCALL: ['UONCALL1', 'UONCALL2'], SLEADS: ['ULEAD'] }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  async function start(policy: Record<string, unknown>, lingerAfterMs?: number): Promise<{ handle: WorkflowHandle; approvalId: string }> {
    const workflowId = `approval-${++n}`;
    const gatePolicy = { ...approvalPolicySchema.parse(policy), slackAppPublicKey: testPublicKey(SLACK_APP_KEY) };
    const args = [request, gatePolicy, ...(lingerAfterMs ? [lingerAfterMs] : [])];
    const handle = await env.client.workflow.start('approvalHarness', { taskQueue: 'approvals', workflowId, args });
    await waitUntil('the request is pending', async () => (await handle.query(pendingApprovalsQuery)).length === 1, 20_000);
    return { handle, approvalId: `${workflowId}#1@${handle.firstExecutionRunId}` };
  }

  /** Signed at the server's time: the time-skipping server's clock runs ahead of this one. */
  const vote = async (handle: WorkflowHandle, intent: VoteIntent) => handle.executeUpdate(decideUpdate, { args: [signedBallot(intent, new Date(await env.currentTimeMs()))] });
  const refusalOf = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => {
    if (!(error instanceof WorkflowUpdateFailedError)) throw error;
    return error.cause?.message;
  });

  it('needs a quorum of distinct approvers; a double click counts once', async () => {
    const { handle, approvalId } = await start({ approvers: { groups: ['SONCALL'] }, quorum: 2 });
    expect(await vote(handle, { approvalId, voter: 'slack:UONCALL1', vote: 'approve' })).toMatchObject({ approvals: ['slack:UONCALL1'], quorum: 2 });
    expect(await refusalOf(vote(handle, { approvalId, voter: 'slack:UONCALL1', vote: 'approve' }))).toBe('slack:UONCALL1 has already voted');
    const decision = await vote(handle, { approvalId, voter: 'slack:UONCALL2', vote: 'approve' });
    expect(decision).toMatchObject({ approved: true, decidedBy: ['slack:UONCALL1', 'slack:UONCALL2'] });
    expect(await handle.result()).toEqual(decision);
    expect(recorded.audit.filter((e) => e.subject === approvalId).map((e) => [e.actor, e.action])).toEqual([
      ['system', 'approval.requested'], ['slack:UONCALL1', 'approval.approve'], ['slack:UONCALL2', 'approval.approve'], ['system', 'approval.decided'],
    ]);
  });

  it('refuses people outside the policy and the requester under four-eyes, leaving no trace in history', async () => {
    const { handle, approvalId } = await start({ approvers: { users: ['UREQ', 'UOK'], groups: ['SONCALL'] } });
    expect(await refusalOf(vote(handle, { approvalId, voter: 'slack:UMALLORY', vote: 'approve' }))).toBe('slack:UMALLORY is not an approver for this request');
    expect(await refusalOf(vote(handle, { approvalId, voter: 'slack:UREQ', vote: 'approve' }))).toBe('four-eyes: the requester cannot approve their own request');
    expect(await refusalOf(vote(handle, { approvalId, voter: 'cli:alice', vote: 'approve' }))).toMatch(/^ballot signed by an unknown key SHA256:/);
    expect(await refusalOf(vote(handle, { approvalId: `${approvalId}9`, voter: 'slack:UOK', vote: 'approve' }))).toMatch(/is not pending/);
    const history = await handle.fetchHistory();
    expect((history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);
    await vote(handle, { approvalId, voter: 'slack:UOK', vote: 'approve' });
    expect(await handle.result()).toMatchObject({ approved: true, decidedBy: ['slack:UOK'] });
  });

  it('ends at the first rejection, which needs a reason', async () => {
    const { handle, approvalId } = await start({ approvers: { users: ['UOK', 'UOK2'] }, quorum: 2 });
    expect(await refusalOf(vote(handle, { approvalId, voter: 'slack:UOK', vote: 'reject' }))).toBe('a rejection needs a reason');
    await vote(handle, { approvalId, voter: 'slack:UOK2', vote: 'approve' });
    await vote(handle, { approvalId, voter: 'slack:UOK', vote: 'reject', reason: 'not during the sale' });
    expect(await handle.result()).toMatchObject({ approved: false, decidedBy: ['slack:UOK'], reason: 'not during the sale' });
    expect(recorded.updated.at(-1)).toMatchObject({ approved: false });
  });

  it('escalates after the timeout, lets the next group vote, and rejects when nobody decides', async () => {
    const { handle, approvalId } = await start({ approvers: { users: ['UOK'] }, timeout: '4h', escalation: [{ after: '2h', approvers: { groups: ['SLEADS'] } }] }, 86_400_000);
    await env.sleep(4 * 3_600_000 + 60_000);
    await waitUntil('escalated', async () => recorded.escalations.some((e) => e.allowed.includes('slack:ULEAD')), 20_000);
    expect((await handle.query(pendingApprovalsQuery))[0]?.allowed.sort()).toEqual(['slack:ULEAD', 'slack:UOK']);
    await env.sleep(2 * 3_600_000 + 60_000); // nobody votes through the last step either
    await waitUntil('expired', async () => (await handle.query(pendingApprovalsQuery)).length === 0, 20_000);
    expect(await refusalOf(vote(handle, { approvalId, voter: 'slack:ULEAD', vote: 'approve' }))).toBe(`approval ${approvalId} is not pending (decided, expired or unknown)`);
    expect(await handle.result()).toMatchObject({ approved: false, decidedBy: [], reason: 'expired without a decision; policy default: reject' });
  });

  it('approves on expiry only for an action the policy marks low-risk', async () => {
    const { handle } = await start({ approvers: { users: ['UOK'] }, timeout: '30m', onExpiry: 'approve', lowRisk: true });
    expect(await handle.result()).toMatchObject({ approved: true, reason: 'expired without a decision; policy default: approve (low risk)' });
    expect(() => approvalPolicySchema.parse({ approvers: { users: ['UOK'] }, onExpiry: 'approve' })).toThrow(/only allowed for actions marked lowRisk/);
  });

  describe('ballots that must not count (bad-input battery: ballots)', () => {
    const policy = { approvers: { users: ['UOK', 'UOK2'], cliUsers: [testCliUser('alice'), testCliUser('bob')] }, quorum: 2 };
    type Forge = (ctx: { approvalId: string; now: Date; valid: (intent?: Partial<VoteIntent>) => Ballot }) => unknown;
    const cases: [string, Forge, RegExp][] = [
      ['a forged signature', ({ valid }) => ({ ...valid(), signature: Buffer.alloc(64, 7).toString('base64') }), /signature does not verify \(forged or altered\)/],
      ['an altered vote', ({ valid }) => ({ ...valid(), vote: 'reject', reason: 'changed in transit' }), /signature does not verify/],
      ['an altered voter', ({ valid }) => ({ ...valid(), voter: 'slack:UOK2' }), /signature does not verify/],
      ['an altered reason', ({ valid }) => ({ ...valid({ reason: 'fine' }), reason: 'fine, and more' }), /signature does not verify/],
      ['an altered approval id', ({ valid, approvalId }) => ({ ...valid(), approvalId: `${approvalId}x` }), /is not pending/],
      ['an unknown key', ({ approvalId, now }) => signedBallot({ approvalId, voter: 'slack:UOK', vote: 'approve' }, now, 'mallory'), /unknown key SHA256:/],
      ['a CLI key signing for another CLI user', ({ approvalId, now }) => signedBallot({ approvalId, voter: 'cli:alice', vote: 'approve' }, now, 'bob'), /key SHA256:\S+ may not sign for cli:alice/],
      ['a CLI key signing for a Slack user', ({ approvalId, now }) => signedBallot({ approvalId, voter: 'slack:UOK', vote: 'approve' }, now, 'alice'), /may not sign for slack:UOK/],
      ['a vote that is neither approve nor reject', ({ valid }) => ({ ...valid(), vote: 'abstain' }), /malformed ballot: vote must be approve or reject/],
      ['a huge reason', ({ approvalId, now }) => signedBallot({ approvalId, voter: 'slack:UOK', vote: 'reject', reason: 'x'.repeat(1001) }, now), /malformed ballot: reason must be at most 1000 characters/],
      ['a stale ballot', ({ approvalId, now }) => signedBallot({ approvalId, voter: 'slack:UOK', vote: 'approve' }, new Date(now.getTime() - 6 * 60_000)), /outside the 5-minute window/],
      ['a ballot from the future', ({ approvalId, now }) => signedBallot({ approvalId, voter: 'slack:UOK', vote: 'approve' }, new Date(now.getTime() + 6 * 60_000)), /outside the 5-minute window/],
      ['no signature', ({ valid }) => ({ ...valid(), signature: undefined }), /malformed ballot: signature/],
      ['an extra field', ({ valid }) => ({ ...valid(), weight: 2 }), /malformed ballot/],
      ['not an object', () => 'approve', /malformed ballot/],
      ['a voter that is not a principal', ({ valid }) => ({ ...valid(), voter: 'root' }), /malformed ballot: voter/],
      ['a voter outside the policy, signed by the Slack app', ({ approvalId, now }) => signedBallot({ approvalId, voter: 'slack:UMALLORY', vote: 'approve' }, now), /slack:UMALLORY is not an approver/],
    ];

    it.each(cases)('refuses %s before history, and nothing changes', async (_name, forge, refusal) => {
      const { handle, approvalId } = await start(policy);
      const now = new Date(await env.currentTimeMs());
      const valid = (intent: Partial<VoteIntent> = {}) => signedBallot({ approvalId, voter: 'slack:UOK', vote: 'approve', ...intent }, now);
      const auditBefore = recorded.audit.filter((e) => e.subject === approvalId).length;
      const sent = handle.executeUpdate(decide, { args: [forge({ approvalId, now, valid }) as Ballot] });
      expect(await refusalOf(sent)).toMatch(refusal);
      const history = await handle.fetchHistory();
      expect((history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);
      expect((await handle.query(pendingApprovalsQuery))[0]?.approvals).toEqual([]);
      expect(recorded.audit.filter((e) => e.subject === approvalId)).toHaveLength(auditBefore);
      await handle.terminate('case done');
    });

    it('a ballot replayed after it counted is refused; one for another run of the same workflow id is not pending there', async () => {
      const { handle, approvalId } = await start(policy);
      const ballot = signedBallot({ approvalId, voter: 'cli:alice', vote: 'approve' }, new Date(await env.currentTimeMs()));
      await handle.executeUpdate(decide, { args: [ballot] });
      expect(await refusalOf(handle.executeUpdate(decide, { args: [ballot] }))).toBe('cli:alice has already voted');
      expect(recorded.audit.filter((e) => e.subject === approvalId && e.action === 'approval.approve')).toHaveLength(1);
      // The vote is audited with its signed ballot, so `secops audit verify` can check it again.
      expect(recorded.audit.find((e) => e.subject === approvalId && e.action === 'approval.approve')).toMatchObject({ signature: ballot.signature, keyId: ballot.keyId, details: { ballot: { voter: 'cli:alice', vote: 'approve', approvalId } } });
      await handle.terminate('first run ends');
      const again = await env.client.workflow.start('approvalHarness', { taskQueue: 'approvals', workflowId: handle.workflowId, args: [request, { ...approvalPolicySchema.parse(policy), slackAppPublicKey: testPublicKey(SLACK_APP_KEY) }] });
      await waitUntil('the second run asks', async () => (await again.query(pendingApprovalsQuery)).length === 1, 20_000);
      const secondId = (await again.query(pendingApprovalsQuery))[0]!.approvalId;
      expect(secondId).not.toBe(approvalId);
      expect(await refusalOf(again.executeUpdate(decide, { args: [ballot] }))).toMatch(/is not pending/);
      await again.terminate('case done');
    });
  });
});

import { describe, expect, it } from 'vitest';
import { mayStillVote, type PendingApproval } from '../../domain/approval-rules';

describe('who may still vote on a pending approval (approvals list --mine, Slack "my approvals")', () => {
  const pending: PendingApproval = {
    approvalId: 'dast:shop:1#1', workflowId: 'dast:shop:1', action: 'dast.active-scan', summary: 'full scan of shop', risk: 'high',
    requestedBy: 'cli:alice', quorum: 2, approvals: ['cli:bob'], allowed: ['cli:alice', 'cli:bob', 'slack:U0CAROL'], expiresAt: '2026-12-01T00:00:00.000Z', fourEyes: true,
  };

  it('an allowed approver who has not voted may', () => {
    expect(mayStillVote(pending, 'slack:U0CAROL')).toBe(true);
  });

  it('the requester may not under four-eyes, and may without it', () => {
    expect(mayStillVote(pending, 'cli:alice')).toBe(false);
    expect(mayStillVote({ ...pending, fourEyes: false }, 'cli:alice')).toBe(true);
  });

  it('a run that did not report its four-eyes rule is taken as four-eyes', () => {
    const older: PendingApproval = { ...pending };
    delete older.fourEyes;
    expect(mayStillVote(older, 'cli:alice')).toBe(false);
  });

  it('someone who already voted, or was never allowed, may not', () => {
    expect(mayStillVote(pending, 'cli:bob')).toBe(false);
    expect(mayStillVote(pending, 'cli:mallory')).toBe(false);
  });
});

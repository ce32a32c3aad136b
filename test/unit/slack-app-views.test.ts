import { describe, expect, it } from 'vitest';
import type { PendingApproval } from '../../domain/approval-rules';
import { appHomeView, type RecentScan } from '../../render/slack/app-home';
import { myApprovalsMessage } from '../../render/slack/pending-approvals';
import { runStatusMessage } from '../../render/slack/run-status';
import { parseSecopsCommand } from '../../slack-app/secops-command';
import { acceptedUntil, ticketLink } from '../../domain/triage-input';
import { slackMessageProblems, slackViewProblems } from '../support/slack-limits';

const hostile = '<!channel> *bold* `tick` & <https://evil.example|click>\n'.repeat(200);

function pending(n: number): PendingApproval {
  return {
    approvalId: `dast:shop:${'x'.repeat(900)}-${n}#1`, workflowId: `dast:shop:${n}`, action: 'dast.active-scan', summary: hostile, details: hostile,
    risk: 'high', requestedBy: 'slack:UREQ', quorum: 2, approvals: ['slack:U1'], allowed: ['slack:U1', 'slack:U2'], expiresAt: '2030-01-01T00:00:00.000Z',
  };
}

const scans: RecentScan[] = Array.from({ length: 10 }, (_, i) => ({
  workflowId: `dast:shop:${i}`, targetId: 'shop', status: i === 0 ? 'RUNNING' : 'COMPLETED', ...(i > 0 && { verdict: 'fail' as const }), startedAt: '2030-01-01T00:00:00.000Z',
}));

describe('App Home and the /secops answers (Block Kit builders)', () => {
  it('builds a home view within Slack\'s limits however many approvals wait, with hostile text escaped', () => {
    const view = appHomeView({ approvals: Array.from({ length: 60 }, (_, i) => pending(i)), scans });
    expect(slackViewProblems(view, 'home')).toEqual([]);
    const json = JSON.stringify(view);
    expect(json).not.toContain('<!channel>');
    expect(json).toContain('… and 40 more');
    expect(json).toContain('Recent scans');
    expect(json).not.toMatch(/incident/i);
  });

  it('leaves out the scans section when there are none, and says when nothing waits', () => {
    const view = appHomeView({ approvals: [], scans: [] });
    expect(slackViewProblems(view, 'home')).toEqual([]);
    expect(JSON.stringify(view)).toContain('Nothing is waiting for you.');
    expect(JSON.stringify(view)).not.toContain('Recent scans');
  });

  it('lists approvals in an ephemeral message within the 50-block limit', () => {
    const message = myApprovalsMessage(Array.from({ length: 30 }, (_, i) => pending(i)));
    expect(slackMessageProblems(message)).toEqual([]);
        expect(message.text).toBe('30 approvals waiting for you');
  });

  it('reports a finished scan with its verdict and counts', () => {
    const message = runStatusMessage({
      workflowId: 'dast:shop:1', workflowType: 'dastScan', status: 'COMPLETED', startedAt: '2030-01-01T00:00:00.000Z', closedAt: '2030-01-01T00:01:00.000Z',
      scan: { verdict: 'fail', counts: { critical: 0, high: 2, medium: 1, low: 0, info: 3 }, diff: { new: 1, fixed: 0, persisting: 2, suppressed: 1, notRetested: 0 } },
    });
    expect(slackMessageProblems(message)).toEqual([]);
    expect(message.text).toBe('dast:shop:1: completed, verdict fail');
    expect(JSON.stringify(message.blocks)).toContain('high 2');
    expect(JSON.stringify(message.blocks)).toContain('1 new, 0 fixed, 2 persisting, 1 suppressed"');
  });

  it('says how many findings the scan could not re-test, next to the fixed ones', () => {
    const message = runStatusMessage({
      workflowId: 'dast:shop:2', workflowType: 'dastScan', status: 'COMPLETED', startedAt: '2030-01-01T00:00:00.000Z',
      scan: { verdict: 'warn', counts: { critical: 0, high: 0, medium: 1, low: 0, info: 0 }, diff: { new: 0, fixed: 1, persisting: 1, suppressed: 0, notRetested: 2 } },
    });
    expect(JSON.stringify(message.blocks)).toContain('0 new, 1 fixed, 1 persisting, 0 suppressed, 2 not re-tested');
  });
});

describe('/secops text', () => {
  it.each([
    ['', { kind: 'usage' }],
    ['help', { kind: 'usage' }],
    ['scan shop', { kind: 'scan', targetId: 'shop' }],
    ['  scan   shop   full ', { kind: 'scan', targetId: 'shop', profile: 'full' }],
    ['scan', { kind: 'usage', problem: 'scan needs a target id' }],
    ['scan shop loud', { kind: 'usage', problem: 'unknown profile "loud" (baseline, full or api)' }],
    ['scan shop full now', { kind: 'usage', problem: 'unexpected "now"' }],
    ['approvals', { kind: 'approvals' }],
    ['status dast:shop:1', { kind: 'status', workflowId: 'dast:shop:1' }],
    ['status', { kind: 'usage', problem: 'status needs exactly one workflow id' }],
    ['rotate shop-db', { kind: 'rotate', credentialId: 'shop-db' }],
    ['rotate', { kind: 'usage', problem: 'rotate needs exactly one credential id' }],
    ['deploy', { kind: 'usage', problem: 'unknown command "deploy"' }],
  ])('%j', (text, expected) => {
    expect(parseSecopsCommand(text)).toEqual(expected);
  });
});

describe('triage inputs', () => {
  const now = new Date('2030-03-10T15:00:00.000Z');

  it('accepts a risk through the picked day: it counts again from the next midnight (UTC)', () => {
    expect(acceptedUntil('2030-03-11', now)).toEqual({ expiresAt: '2030-03-12T00:00:00.000Z' });
    expect(acceptedUntil('2030-03-10', now)).toEqual({ problem: 'the date must be in the future (after today)' });
    expect(acceptedUntil('2030-02-01', now)).toEqual({ problem: 'the date must be in the future (after today)' });
    expect(acceptedUntil('', now)).toEqual({ problem: 'pick the last day the risk stays accepted' });
  });

  it('takes only http(s) ticket links', () => {
    expect(ticketLink('https://tracker.example.com/SEC-1')).toEqual({ url: 'https://tracker.example.com/SEC-1' });
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'tracker/SEC-1', '']) expect(ticketLink(bad)).toHaveProperty('problem');
  });
});

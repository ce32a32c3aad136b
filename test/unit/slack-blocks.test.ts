import type { ActionsBlock, Button, InputBlock, KnownBlock, ModalView } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import type { ApprovalDecision, PendingApproval } from '../../domain/approval-rules';
import type { ReportedFinding } from '../../domain/scan-report';
import { APPROVAL_ACTIONS, approvalDecidedMessage, approvalEscalationMessage, approvalRequestMessage } from '../../render/slack/approval-request';
import { checkMessage, checkView } from '../../render/slack/limits';
import type { SlackMessage } from '../../render/slack/message';
import { text } from '../../render/slack/mrkdwn';
import { scanSummaryMessage, TRIAGE_ACTIONS } from '../../render/slack/scan-summary';
import { acceptRiskModal, MODAL_CALLBACKS, MODAL_INPUTS, rejectReasonModal, ticketModal } from '../../render/slack/triage-modals';
import { usageMessage } from '../../render/slack/usage';
import { buildScanReport } from '../fixtures/scan-report';
import { SLACK_LIMITS, slackMessageProblems, slackViewProblems } from '../support/slack-limits';

const HOSTILE = '<!channel> <script>alert(1)</script> & <https://evil.example|click> <@U0ADMIN>';
const TEN_KB = `${HOSTILE} ${'A'.repeat(10_240)}`;

const pending: PendingApproval = {
  approvalId: 'dast-shop-staging-2025-06-02#1',
  workflowId: 'dast-shop-staging-2025-06-02',
  action: 'dast.active-scan',
  summary: 'Active (full) scan of shop-staging',
  details: 'The full profile sends attack payloads to http://127.0.0.1:8080/.',
  risk: 'high',
  requestedBy: 'slack:U0ALICE',
  quorum: 2,
  approvals: ['slack:U0BOB'],
  allowed: ['slack:U0BOB', 'slack:U0CAROL', 'cli:dave'],
  expiresAt: '2025-06-02T05:00:00.000Z',
};
const LINKS = { run: 'http://127.0.0.1:8233/namespaces/default/workflows/dast-shop-staging-2025-06-02', report: 'https://reports.example.com/shop-staging/2025-06-02.html' };

const actionsBlocks = (message: { blocks: KnownBlock[] }) => message.blocks.filter((b): b is ActionsBlock => b.type === 'actions');
const buttons = (message: { blocks: KnownBlock[] }) => actionsBlocks(message).flatMap((b) => b.elements as Button[]);
const rendered = (message: SlackMessage) => JSON.stringify(message);

/** What a reader could be paged by or tricked with: broadcast mentions, raw tags, links we did not write. */
function expectDisarmed(message: SlackMessage): void {
  const all = rendered(message);
  for (const forbidden of ['<!channel>', '<!here>', '<script>', '<https://evil.example', '<@U0ADMIN>']) expect(all).not.toContain(forbidden);
  expect(all).toContain('&lt;!channel&gt;');
  expect(all).toContain('&lt;script&gt;');
}

describe('approval request', () => {
  const message = approvalRequestMessage(pending, LINKS);

  it('says what, why, how risky, who asked, how far the quorum is and when it expires', () => {
    const all = rendered(message);
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: expect.stringContaining('dast.active-scan') } });
    expect(message.text).toContain('Active (full) scan of shop-staging');
    expect(all).toContain('The full profile sends attack payloads');
    expect(all).toContain(':red_circle: high');
    expect(all).toContain('<@U0ALICE>');
    expect(all).toContain('1 of 2 approvals (<@U0BOB>)');
    expect(all).toContain(`<!date^${Date.parse(pending.expiresAt) / 1000}^{date_short_pretty} {time}|2025-06-02 05:00 UTC>`);
    expect(all).toContain(`<${LINKS.run}|Temporal run>`);
    expect(all).toContain(`<${LINKS.report}|Report>`);
  });

  it('renders a CLI requester by name and a single-approval quorum in the singular', () => {
    const all = rendered(approvalRequestMessage({ ...pending, requestedBy: 'cli:alice', quorum: 1, approvals: [] }, {}));
    expect(all).toContain('alice (CLI)');
    expect(all).toContain('0 of 1 approval');
    expect(all).not.toContain('Temporal run');
  });

  it('has Approve (primary) and Reject (danger) buttons carrying the approvalId', () => {
    expect(buttons(message)).toEqual([
      expect.objectContaining({ action_id: APPROVAL_ACTIONS.approve, style: 'primary', value: pending.approvalId, text: { type: 'plain_text', text: 'Approve' } }),
      expect.objectContaining({ action_id: APPROVAL_ACTIONS.reject, style: 'danger', value: pending.approvalId, text: { type: 'plain_text', text: 'Reject' } }),
    ]);
    // Messages already posted keep these action_ids after an upgrade: renaming one strands their buttons.
    expect(APPROVAL_ACTIONS).toEqual({ approve: 'approval.approve', reject: 'approval.reject' });
  });

  it('passes the Block Kit limits and escapes hostile summaries and 10 KB details', () => {
    expect(slackMessageProblems(message)).toEqual([]);
    const hostile = approvalRequestMessage({ ...pending, summary: TEN_KB, details: TEN_KB, requestedBy: 'cli:<!here>' as `cli:${string}` }, LINKS);
    expect(slackMessageProblems(hostile)).toEqual([]);
    expectDisarmed(hostile);
  });

  it('gives the vote buttons a new block_id once a vote changed the message', () => {
    const after = approvalRequestMessage({ ...pending, approvals: ['slack:U0BOB', 'cli:dave'] }, LINKS);
    expect(actionsBlocks(after)[0]?.block_id).not.toBe(actionsBlocks(message)[0]?.block_id);
  });
});

describe('approval escalation', () => {
  it('tells the next group it escalated, with the same buttons', () => {
    const message = approvalEscalationMessage(pending, 1);
    expect(rendered(message)).toContain('escalation step 1');
    expect(message.text).toMatch(/^Escalated/);
    expect(buttons(message).map((b) => [b.action_id, b.value])).toEqual([[APPROVAL_ACTIONS.approve, pending.approvalId], [APPROVAL_ACTIONS.reject, pending.approvalId]]);
    expect(slackMessageProblems(message)).toEqual([]);
  });
});

describe('approval decided', () => {
  const decided = (decision: ApprovalDecision) => approvalDecidedMessage(pending, decision);

  it('shows who approved and when, with no buttons left', () => {
    const message = decided({ approved: true, decidedBy: ['slack:U0BOB', 'cli:dave'], at: '2025-06-02T02:30:00.000Z', reason: 'quorum reached' });
    const all = rendered(message);
    expect(message.text).toMatch(/^Approved: /);
    expect(all).toContain('<@U0BOB>, dave (CLI)');
    expect(all).toContain(`<!date^${Date.parse('2025-06-02T02:30:00.000Z') / 1000}^`);
    expect(all).toContain('quorum reached');
    expect(actionsBlocks(message)).toEqual([]);
    expect(slackMessageProblems(message)).toEqual([]);
  });

  it('shows a rejection with its (escaped) reason', () => {
    const message = decided({ approved: false, decidedBy: ['slack:U0CAROL'], at: '2025-06-02T02:30:00.000Z', reason: TEN_KB });
    expect(message.text).toMatch(/^Rejected: /);
    expect(rendered(message)).toContain('<@U0CAROL>');
    expectDisarmed(message);
    expect(actionsBlocks(message)).toEqual([]);
    expect(slackMessageProblems(message)).toEqual([]);
  });

  it('shows an expiry and the policy default that applied', () => {
    const message = decided({ approved: false, decidedBy: [], at: '2025-06-02T05:00:00.000Z', reason: 'expired without a decision; policy default: reject' });
    expect(message.text).toMatch(/^Expired, rejected by policy: /);
    expect(rendered(message)).toContain('nobody (expired)');
    expect(actionsBlocks(message)).toEqual([]);
  });
});

describe('scan summary', () => {
  const report = buildScanReport();
  const message = scanSummaryMessage(report, { html: '/var/lib/secops/artifacts/scan-2025-06-02-shop/report.html', run: LINKS.run });
  const fresh = report.findings.filter((f) => f.status === 'new');

  it('leads with the verdict, counts and what changed', () => {
    const all = rendered(message);
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { text: ':x: FAIL — DAST shop-staging' } });
    expect(message.text).toBe(':x: FAIL DAST shop-staging: 2 new, 1 fixed, 4 persisting, 1 suppressed');
    expect(all).toContain(`critical *${report.counts.critical}* · high *${report.counts.high}*`);
    expect(all).toContain('*New since the last scan (2)*');
    expect(all).toContain('HTML report: `/var/lib/secops/artifacts/scan-2025-06-02-shop/report.html`');
    expect(all).toContain(`<${LINKS.run}|Temporal run>`);
  });

  it('lists only new findings, each followed by its triage buttons', () => {
    const sections = message.blocks.flatMap((b, i) => (b.type === 'actions' ? [message.blocks[i - 1]] : []));
    expect(sections.map((s) => JSON.stringify(s))).toEqual([expect.stringContaining('SQL Injection'), expect.stringContaining('Cross Site Scripting (Reflected)')]);
    expect(rendered(message)).not.toContain('Content Security Policy');
    expect(actionsBlocks(message).map((b) => b.block_id)).toEqual(fresh.map((f, i) => `triage:${i}:${f.fingerprint.slice(0, 16)}`));
    for (const [i, block] of actionsBlocks(message).entries()) {
      const elements = block.elements as Button[];
      expect(elements.map((e) => [e.action_id, e.text.text])).toEqual([[TRIAGE_ACTIONS.acceptRisk, 'Accept risk'], [TRIAGE_ACTIONS.falsePositive, 'False positive'], [TRIAGE_ACTIONS.ticket, 'Ticket link']]);
      for (const e of elements) expect(JSON.parse(e.value ?? '')).toEqual({ t: 'shop-staging', f: fresh[i]?.fingerprint });
    }
    // Summaries already posted keep these action_ids after an upgrade: renaming one strands their buttons.
    expect(TRIAGE_ACTIONS).toEqual({ acceptRisk: 'triage.accept-risk', falsePositive: 'triage.false-positive', ticket: 'triage.ticket' });
  });

  it('passes the limits with unique block ids, and action ids unique within each block', () => {
    expect(slackMessageProblems(message)).toEqual([]);
    const blockIds = message.blocks.flatMap((b) => (b.block_id ? [b.block_id] : []));
    expect(new Set(blockIds).size).toBe(blockIds.length);
    for (const block of actionsBlocks(message)) expect(new Set(block.elements.map((e) => 'action_id' in e && e.action_id)).size).toBe(block.elements.length);
  });

  it('stays within every limit with 500 new findings with 10 KB hostile titles, URLs and parameters', () => {
    const template = report.findings[0] as ReportedFinding;
    const findings = Array.from({ length: 500 }, (_, i): ReportedFinding => ({
      ...template,
      fingerprint: i.toString(16).padStart(64, 'f'),
      title: `${i} ${TEN_KB}`,
      url: `http://127.0.0.1:8080/${'`'}${TEN_KB}`,
      parameter: TEN_KB,
      ticketUrl: 'https://tracker.example.com/SEC-1?a=1&b=<2>',
    }));
    const huge = scanSummaryMessage(buildScanReport({ findings }), { html: 'https://reports.example.com/r.html', run: LINKS.run });
    expect(slackMessageProblems(huge)).toEqual([]);
    expect(huge.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
    expect(actionsBlocks(huge)).toHaveLength(10);
    expect(rendered(huge)).toContain('… and 490 more in the report');
    expect(rendered(huge)).toContain('<https://reports.example.com/r.html|HTML report>');
    expectDisarmed(huge);
  });

  it('says so when nothing is new, and offers no buttons', () => {
    const quiet = scanSummaryMessage(buildScanReport({ findings: report.findings.filter((f) => f.status !== 'new') }), { html: 'https://reports.example.com/r.html' });
    expect(rendered(quiet)).toContain('No new findings since the last scan.');
    expect(buttons(quiet)).toEqual([]);
    expect(slackMessageProblems(quiet)).toEqual([]);
  });
});

describe('triage modals', () => {
  const ref = JSON.stringify({ t: 'shop-staging', f: 'a'.repeat(64) });
  const inputs = (view: ModalView) => (view.blocks as InputBlock[]).map((b) => [b.block_id, 'action_id' in b.element ? b.element.action_id : undefined, b.element.type]);

  it('accept risk: a reason and an expiry date, the finding carried in private_metadata', () => {
    const view = acceptRiskModal(ref);
    expect(view).toMatchObject({ type: 'modal', callback_id: 'triage.accept-risk', private_metadata: ref, submit: { type: 'plain_text' } });
    expect(inputs(view)).toEqual([[MODAL_INPUTS.reason, MODAL_INPUTS.reason, 'plain_text_input'], [MODAL_INPUTS.expires, MODAL_INPUTS.expires, 'datepicker']]);
    expect(slackViewProblems(view, 'modal')).toEqual([]);
  });

  it('ticket: one URL input', () => {
    const view = ticketModal(ref);
    expect(view.callback_id).toBe(MODAL_CALLBACKS.ticket);
    expect(inputs(view)).toEqual([[MODAL_INPUTS.ticketUrl, MODAL_INPUTS.ticketUrl, 'url_text_input']]);
    expect(slackViewProblems(view, 'modal')).toEqual([]);
  });

  it('reject: a reason, the approvalId carried in private_metadata', () => {
    const view = rejectReasonModal(pending.approvalId);
    expect(view).toMatchObject({ callback_id: 'approval.reject', private_metadata: pending.approvalId });
    expect(inputs(view)).toEqual([[MODAL_INPUTS.reason, MODAL_INPUTS.reason, 'plain_text_input']]);
    expect(slackViewProblems(view, 'modal')).toEqual([]);
  });
});

describe('/secops usage', () => {
  it('lists every command, with placeholders escaped', () => {
    const message = usageMessage();
    const all = rendered(message);
    for (const command of ['/secops scan &lt;target&gt; [profile]', '/secops approvals', '/secops status &lt;workflow id&gt;', '/secops help']) expect(all).toContain(command);
    expect(message.text).toMatch(/^Usage: \/secops scan/);
    expect(slackMessageProblems(message)).toEqual([]);
  });

  it('echoes what was wrong with a command, escaped', () => {
    const message = usageMessage(`unknown command ${HOSTILE}`);
    expect(message.text).toMatch(/^unknown command &lt;!channel&gt;/);
    expectDisarmed(message);
  });
});

describe('escaping and shortening', () => {
  it('never cuts an entity or a surrogate pair, and never exceeds the budget', () => {
    expect(text('&&&&', 7)).toBe('&amp;…');
    expect(text('<b>', 20)).toBe('&lt;b&gt;');
    expect(text('🔥🔥🔥', 4)).toBe('🔥…');
    for (const max of [2, 5, 9, 50]) expect(text(TEN_KB, max).length).toBeLessThanOrEqual(max);
  });
});

/**
 * The product shortens what it does not control by its own table of limits
 * (render/slack/limits.ts). Here that table is held against Slack's documented limits,
 * written independently in test/support/slack-limits.ts: at each limit both accept, one
 * past it both refuse. A limit mistyped in the product fails here.
 */
describe('the product\'s Block Kit checker against Slack\'s documented limits', () => {
  const section = (t = 'x'): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: t } });
  const button = (action_id: string, extra: Partial<Button> = {}): Button => ({ type: 'button', action_id, text: { type: 'plain_text', text: 'Go' }, ...extra });
  const judged = (blocks: KnownBlock[], text = 'fallback') => ({ product: checkMessage({ text, blocks }), slack: slackMessageProblems({ text, blocks }) });
  const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });

  it.each([
    ['50 blocks', Array.from({ length: 50 }, () => section())],
    ['a 3000-character section', [section('x'.repeat(3000))]],
    ['a 150-character header', [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(150) } }]],
    ['a 75-character button', [{ type: 'actions', elements: [button('a', { text: { type: 'plain_text', text: 'x'.repeat(75) } })] }]],
    ['a 255-character action_id', [{ type: 'actions', elements: [button('a'.repeat(255))] }]],
    ['a 2000-character value', [{ type: 'actions', elements: [button('a', { value: 'v'.repeat(2000) })] }]],
    ['a 255-character block_id', [{ ...section(), block_id: 'b'.repeat(255) }]],
    ['25 elements in an actions block', [{ type: 'actions', elements: Array.from({ length: 25 }, (_, i) => button(`a${i}`)) }]],
    ['10 context elements', [{ type: 'context', elements: Array.from({ length: 10 }, () => mrkdwn('x')) }]],
    ['10 section fields of 2000 characters', [{ type: 'section', fields: Array.from({ length: 10 }, () => mrkdwn('x'.repeat(2000))) }]],
    ['the same action_id in different blocks (Slack scopes it to the block)', [{ type: 'actions', elements: [button('triage.ticket')] }, { type: 'actions', elements: [button('triage.ticket')] }]],
  ])('accepts %s, as Slack does', (_, blocks) => {
    expect(judged(blocks as KnownBlock[])).toEqual({ product: [], slack: [] });
  });

  it.each([
    ['51 blocks', Array.from({ length: 51 }, () => section()), 'at most 50 items'],
    ['a 3001-character section', [section('x'.repeat(3001))], 'at most 3000 characters'],
    ['a 151-character header', [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }], 'at most 150 characters'],
    ['a mrkdwn header', [{ type: 'header', text: { type: 'mrkdwn', text: 'x' } } as unknown as KnownBlock], 'plain_text'],
    ['a 76-character button', [{ type: 'actions', elements: [button('a', { text: { type: 'plain_text', text: 'x'.repeat(76) } })] }], 'at most 75 characters'],
    ['a 256-character action_id', [{ type: 'actions', elements: [button('a'.repeat(256))] }], 'at most 255 characters'],
    ['a duplicate action_id in one block', [{ type: 'actions', elements: [button('same'), button('same')] }], 'duplicate action_id same'],
    ['a 2001-character value', [{ type: 'actions', elements: [button('a', { value: 'v'.repeat(2001) })] }], 'at most 2000 characters'],
    ['a 256-character block_id', [{ ...section(), block_id: 'b'.repeat(256) }], 'at most 255 characters'],
    ['a duplicate block_id', [{ ...section(), block_id: 'b' }, { ...section(), block_id: 'b' }], 'duplicate block_id b'],
    ['26 elements in an actions block', [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`a${i}`)) }], 'at most 25 items'],
    ['11 context elements', [{ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('x')) }], 'at most 10 items'],
    ['11 section fields', [{ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('x')) }], 'at most 10 items'],
    ['a 2001-character section field', [{ type: 'section', fields: [mrkdwn('x'.repeat(2001))] }], 'at most 2000 characters'],
    ['an unknown block type', [{ type: 'sectoin' } as unknown as KnownBlock], 'known block'],
  ])('refuses %s, as Slack does', (_, blocks, problem) => {
    const { product, slack } = judged(blocks as KnownBlock[]);
    expect(product.join('\n')).toContain(problem);
    expect(slack).not.toEqual([]);
  });

  it('takes top-level text up to 40 000 characters, as Slack does', () => {
    expect(judged([], 'x'.repeat(40_000))).toEqual({ product: [], slack: [] });
    expect(judged([], 'x'.repeat(40_001)).product).toEqual(['[ERROR] must be at most 40000 characters, has 40001 [json-pointer:/text]']);
    expect(judged([], 'x'.repeat(40_001)).slack).not.toEqual([]);
  });

  it('checks views as Slack does: 100 blocks, a 24-character title, submit with inputs, 3000 characters of private_metadata', () => {
    const view = acceptRiskModal('x');
    const judgedView = (candidate: Record<string, unknown>, surface: 'modal' | 'home' = 'modal') => ({ product: checkView(candidate), slack: slackViewProblems(candidate, surface) });
    const inputs = view.blocks;
    expect(judgedView({ ...view, blocks: [...inputs, ...Array.from({ length: 100 - inputs.length }, () => section())] })).toEqual({ product: [], slack: [] });
    expect(judgedView({ ...view, title: { type: 'plain_text', text: 'x'.repeat(24) } })).toEqual({ product: [], slack: [] });
    expect(judgedView({ ...view, private_metadata: 'x'.repeat(3000) })).toEqual({ product: [], slack: [] });
    expect(judgedView({ type: 'home', blocks: Array.from({ length: 100 }, () => section()) }, 'home')).toEqual({ product: [], slack: [] });

    const refused = (candidate: Record<string, unknown>, problem: string, surface: 'modal' | 'home' = 'modal') => {
      const { product, slack } = judgedView(candidate, surface);
      expect(product.join('\n')).toContain(problem);
      expect(slack).not.toEqual([]);
    };
    refused({ ...view, blocks: [...inputs, ...Array.from({ length: 101 - inputs.length }, () => section())] }, 'at most 100 items');
    refused({ ...view, title: { type: 'plain_text', text: 'x'.repeat(25) } }, 'at most 24 characters');
    refused({ ...view, submit: undefined }, 'submit is required');
    refused({ ...view, private_metadata: 'x'.repeat(3001) }, 'at most 3000 characters');
    refused({ type: 'home', blocks: Array.from({ length: 101 }, () => section()) }, 'at most 100 items', 'home');
  });
});

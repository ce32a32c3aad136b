import type { ActionsBlock, Button, KnownBlock } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import type { IncidentView } from '../../domain/incident';
import { checkMessage } from '../../render/slack/limits';
import type { SlackMessage } from '../../render/slack/message';
import { INCIDENT_ACTIONS } from '../../render/slack/incident-actions';
import { incidentOpenedNotice } from '../../render/slack/incident-opened';
import { commanderReminderMessage } from '../../render/slack/incident-reminder';
import { INCIDENT_STATUS_BLOCK, incidentStatusMessage } from '../../render/slack/incident-status';
import { slackMessageProblems } from '../support/slack-limits';

const HOSTILE = '<!channel> <https://evil.example|click> <@U0ADMIN> & more';

const view: IncidentView = {
  id: 'inc-20250301-credential-leak-a1b2c3',
  title: 'Credential leak in CI logs',
  playbook: 'credential-leak',
  severity: 'SEV2',
  priority: 'P2',
  status: 'active',
  roles: { commander: 'slack:U0ALICE', scribe: 'cli:bob' },
  participants: ['slack:U0ALICE', 'cli:bob', 'slack:U0CAROL'],
  handoffs: [{ role: 'commander', to: 'slack:U0ALICE', by: 'system', at: '2025-03-01T10:00:00.000Z' }],
  milestones: {
    detected: { at: '2025-03-01T09:58:00.000Z', source: 'alert alertmanager' },
    impactStarted: { at: '2025-03-01T09:30:00.000Z', source: 'slack:U0ALICE', reason: 'first leaked build' },
  },
  alertKeys: [],
  openTasks: [{ taskId: 't-1', title: 'Revoke the leaked token', assignee: 'slack:U0CAROL', openedAt: '2025-03-01T10:06:00.000Z' }],
  createdAt: '2025-03-01T10:00:00.000Z',
};

const buttons = (message: { blocks: KnownBlock[] }) => message.blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements as Button[]);
const rendered = (message: SlackMessage) => JSON.stringify(message);

describe('incident status message', () => {
  const message = incidentStatusMessage(view);

  it('shows title, severity, priority, status, roles, participants, milestones in order and open tasks', () => {
    expect(message.blocks[0]).toMatchObject({ type: 'header', block_id: INCIDENT_STATUS_BLOCK, text: { type: 'plain_text', text: ':rotating_light: Credential leak in CI logs' } });
    expect(message.text).toBe('SEV2 incident: Credential leak in CI logs (active)');
    const all = rendered(message);
    for (const shown of ['SEV2', 'P2', 'active', view.id, '*Commander*\\n<@U0ALICE>', '*Scribe*\\nbob (CLI)', '*Liaison*\\n_none yet_', '*Participants*\\n<@U0CAROL>', 'Revoke the leaked token — <@U0CAROL>', 'credential-leak']) {
      expect(all).toContain(shown);
    }
    const milestones = JSON.stringify(message.blocks[3]);
    expect(milestones.indexOf('impactStarted')).toBeLessThan(milestones.indexOf('detected'));
    expect(milestones).toContain('(<@U0ALICE>)');
    expect(milestones).toContain('(alert alertmanager)');
  });

  it('has Acknowledge and the snoozes, each carrying the incident id, until acknowledged', () => {
    expect(buttons(message).map((b) => [b.action_id, b.value, b.text.text])).toEqual([
      [INCIDENT_ACTIONS.acknowledge, view.id, 'Acknowledge'],
      [INCIDENT_ACTIONS.snooze['30m'], view.id, 'Snooze 30m'],
      [INCIDENT_ACTIONS.snooze['1h'], view.id, 'Snooze 1h'],
      [INCIDENT_ACTIONS.snooze['2h'], view.id, 'Snooze 2h'],
    ]);
    // Messages already posted keep these action_ids after an upgrade: renaming one strands their buttons.
    expect(INCIDENT_ACTIONS).toEqual({ acknowledge: 'incident.acknowledge', snooze: { '30m': 'incident.snooze.30m', '1h': 'incident.snooze.1h', '2h': 'incident.snooze.2h' } });
    const acknowledged = incidentStatusMessage({ ...view, milestones: { ...view.milestones, acknowledged: { at: '2025-03-01T10:02:00.000Z', source: 'slack:U0CAROL' } } });
    expect(buttons(acknowledged).map((b) => b.action_id)).toEqual(Object.values(INCIDENT_ACTIONS.snooze));
    expect(rendered(acknowledged)).toContain('acknowledged');
  });

  it('offers no snooze without a commander, who alone may snooze', () => {
    const commanderless = incidentStatusMessage({ ...view, roles: {} });
    expect(buttons(commanderless).map((b) => b.action_id)).toEqual([INCIDENT_ACTIONS.acknowledge]);
    expect(rendered(commanderless)).toContain('*Commander*\\n_none yet_');
  });

  it('shows a closed incident as resolved, with no buttons left', () => {
    const closed = incidentStatusMessage({ ...view, status: 'closed', openTasks: [] });
    expect(closed.text).toMatch(/^Resolved incident/);
    expect(closed.blocks[0]).toMatchObject({ text: { text: ':white_check_mark: Resolved: Credential leak in CI logs' } });
    expect(buttons(closed)).toEqual([]);
    expect(closed.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('passes the Block Kit limits with hostile text, a crowd and many tasks, and disarms what people and alerts wrote', () => {
    expect(slackMessageProblems(message)).toEqual([]);
    const crowd = Array.from({ length: 400 }, (_, i) => `slack:U0P${String(i).padStart(4, '0')}` as const);
    const busy = incidentStatusMessage({
      ...view,
      title: `${HOSTILE} ${'T'.repeat(5000)}`,
      participants: crowd,
      milestones: { detected: { at: '2025-03-01T09:58:00.000Z', source: `${HOSTILE}${'S'.repeat(3000)}` } },
      openTasks: Array.from({ length: 40 }, (_, i) => ({ taskId: `t-${i}`, title: `${HOSTILE} ${'X'.repeat(3000)}`, assignee: 'cli:<!here>' as const, openedAt: view.createdAt })),
    });
    expect(slackMessageProblems(busy)).toEqual([]);
    expect(checkMessage(busy)).toEqual([]);
    // The header is plain_text, which Slack never parses for mentions: only mrkdwn must be escaped.
    const all = JSON.stringify({ text: busy.text, blocks: busy.blocks.slice(1) });
    for (const forbidden of ['<!channel>', '<!here>', '<https://evil.example', '<@U0ADMIN>']) expect(all).not.toContain(forbidden);
    expect(all).toContain('and 370 more');
    expect(all).toContain('… and 30 more');
  });
});

describe('commander reminder', () => {
  it('mentions the commander in the channel, with the snoozes', () => {
    const message = commanderReminderMessage(view);
    expect(rendered(message)).toContain('<@U0ALICE>, a status update on *Credential leak in CI logs* (SEV2) is due');
    expect(buttons(message).map((b) => [b.action_id, b.value])).toEqual(Object.values(INCIDENT_ACTIONS.snooze).map((id) => [id, view.id]));
    expect(slackMessageProblems(message)).toEqual([]);
  });

  it('asks for a commander, with no snooze nobody could use, when there is none', () => {
    const message = commanderReminderMessage({ ...view, roles: {}, title: HOSTILE });
    expect(rendered(message)).toContain('has no commander');
    expect(buttons(message)).toEqual([]);
    expect(rendered(message)).not.toContain('<!channel>');
    expect(slackMessageProblems(message)).toEqual([]);
  });
});

describe('incident opened notice', () => {
  it('links the incident\'s channel by id, and never links what is not one', () => {
    expect(incidentOpenedNotice(view, 'C0INC000001').text).toContain('follow it in <#C0INC000001>');
    expect(incidentOpenedNotice(view, '<!channel>').text).not.toContain('<!channel>');
    expect(slackMessageProblems(incidentOpenedNotice({ ...view, title: HOSTILE }, 'C0INC000001'))).toEqual([]);
  });
});

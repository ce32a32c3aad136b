import { describe, expect, it } from 'vitest';
import { findPlaybook, listPlaybooks } from '../../client/playbooks';
import { INCIDENT_MODAL_CALLBACK, incidentModal, playbookListMessage } from '../../render/slack/incident-modal';
import { usageMessage } from '../../render/slack/usage';
import { parseSecopsCommand } from '../../slack-app/secops-command';
import { slackViewProblems } from '../support/slack-limits';

interface Block { type: string; block_id?: string; optional?: boolean; label?: { text: string }; element?: Record<string, unknown> }

const blocksOf = (id: string) => incidentModal(findPlaybook(id)!).blocks as unknown as Block[];
const inputs = (id: string) => Object.fromEntries(blocksOf(id).filter((b) => b.type === 'input').map((b) => [b.block_id!, b]));

describe('incidentModal', () => {
  it('suspicious-container: a required one-line container, an optional multi-line reason, title and severity defaulted to the playbook\'s', () => {
    const view = incidentModal(findPlaybook('suspicious-container')!);
    expect(view).toMatchObject({ type: 'modal', callback_id: INCIDENT_MODAL_CALLBACK, private_metadata: 'suspicious-container' });
    expect(slackViewProblems(view, 'modal')).toEqual([]);
    const byId = inputs('suspicious-container');
    expect(Object.keys(byId)).toEqual(['title', 'severity', 'input.container', 'input.reason']);
    expect(byId.title).toMatchObject({ optional: true, element: { type: 'plain_text_input', action_id: 'title' } });
    expect(byId.severity).toMatchObject({ optional: true, element: { type: 'static_select', initial_option: { value: 'SEV2' } } });
    expect((byId.severity!.element!.options as { value: string }[]).map((o) => o.value)).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
    expect(byId['input.container']).toMatchObject({ optional: false, element: { type: 'plain_text_input', action_id: 'input.container', max_length: 128 } });
    expect(byId['input.container']!.element!.multiline).toBeUndefined();
    expect(byId['input.container']!.label!.text).toBe('container: Container name or id on the worker\'s Docker Engine');
    expect(byId['input.reason']).toMatchObject({ optional: true, element: { type: 'plain_text_input', multiline: true, max_length: 2000 } });
  });

  it('drill: defaulted integers are optional number inputs with their bounds and default', () => {
    const view = incidentModal(findPlaybook('drill')!);
    expect(slackViewProblems(view, 'modal')).toEqual([]);
    const byId = inputs('drill');
    expect(Object.keys(byId)).toEqual(['title', 'severity', 'input.steps', 'input.stepDelaySeconds']);
    expect(byId.severity!.element!.initial_option).toMatchObject({ value: 'SEV4' });
    expect(byId['input.steps']).toMatchObject({
      optional: true, label: { text: 'steps: How many no-op steps to run' },
      element: { type: 'number_input', action_id: 'input.steps', is_decimal_allowed: false, min_value: '0', max_value: '20', initial_value: '3' },
    });
    expect(byId['input.stepDelaySeconds']).toMatchObject({ optional: true, element: { type: 'number_input', min_value: '0', max_value: '3600' } });
  });

  it('booleans are checkboxes and enums static selects', () => {
    const view = incidentModal({
      id: 'made-up', title: 'Made up', description: 'for the test', severity: 'SEV3',
      inputSchema: { type: 'object', properties: { dryRun: { type: 'boolean' }, mode: { type: 'string', enum: ['fast', 'slow'] } }, required: ['mode'] },
    });
    expect(slackViewProblems(view, 'modal')).toEqual([]);
    const byId = Object.fromEntries((view.blocks as unknown as Block[]).filter((b) => b.block_id).map((b) => [b.block_id!, b]));
    expect(byId['input.dryRun']).toMatchObject({ optional: true, element: { type: 'checkboxes' } });
    expect(byId['input.mode']).toMatchObject({ optional: false, element: { type: 'static_select', options: [{ value: 'fast' }, { value: 'slow' }] } });
  });

  it('every playbook makes a modal Slack accepts, and the list names them all', () => {
    for (const playbook of listPlaybooks()) expect(slackViewProblems(incidentModal(playbook), 'modal'), playbook.id).toEqual([]);
    const list = playbookListMessage(listPlaybooks());
    for (const playbook of listPlaybooks()) expect(list.text).toContain(playbook.id);
  });
});

describe('/secops incident', () => {
  it.each([
    ['incident', { kind: 'incident' }],
    ['incident drill', { kind: 'incident', playbook: 'drill' }],
    ['incident drill now', { kind: 'usage', problem: 'incident takes at most one playbook id' }],
  ])('parses %j', (text, expected) => expect(parseSecopsCommand(text)).toEqual(expected));

  it('is in the usage text', () => expect(usageMessage().text).toContain('/secops incident [playbook]'));
});

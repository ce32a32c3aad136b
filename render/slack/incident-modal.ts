import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/web-api';
import { INCIDENT_SEVERITIES, type IncidentSeverity } from '../../domain/incident';
import { code, line, plain, text } from './mrkdwn';
import type { SlackMessage } from './message';

export const INCIDENT_MODAL_CALLBACK = 'incident.open';
/** The picker modal, and its select: choosing a playbook turns the picker into that playbook's form. */
export const PLAYBOOK_PICKER_CALLBACK = 'incident.pick';
export const PLAYBOOK_PICKER_ACTION = 'incident.pick-playbook';

/** Block ids (= action ids) of the fixed inputs; each playbook field is `input.<property>`, the path its validation problems carry. */
export const INCIDENT_MODAL_INPUTS = { title: 'title', severity: 'severity' } as const;

/** A playbook as the modal needs it: the catalogue entry's id, title, default severity and input JSON Schema. */
export interface ModalPlaybook {
  id: string;
  title: string;
  description: string;
  severity: IncidentSeverity;
  inputSchema: Record<string, unknown>;
}

/** One property of a playbook's input, as zod's toJSONSchema (io 'input') writes it. */
export interface SchemaProperty {
  type?: string;
  enum?: unknown[];
  description?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
}

/** Longer strings get a multi-line box. */
const MULTILINE_FROM = 200;

export function inputBlockId(property: string): string {
  return `input.${property}`;
}

/** The playbook input's properties and which of them are required (defaulted ones are optional on input). */
export function schemaFields(schema: Record<string, unknown>): { name: string; property: SchemaProperty; required: boolean }[] {
  const properties = (schema.properties ?? {}) as Record<string, SchemaProperty>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(properties).map(([name, property]) => ({ name, property, required: required.has(name) }));
}

/** The form to open an incident with `playbook`; private_metadata carries its id back to the submission. */
export function incidentModal(playbook: ModalPlaybook): ModalView {
  const intro: KnownBlock = { type: 'section', text: { type: 'mrkdwn', text: `*${line(playbook.title, 200)}* ${code(playbook.id, 80)}\n${text(playbook.description, 2500)}` } };
  return {
    type: 'modal',
    callback_id: INCIDENT_MODAL_CALLBACK,
    private_metadata: playbook.id,
    title: { type: 'plain_text', text: 'Open an incident' },
    submit: { type: 'plain_text', text: 'Open incident' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      intro,
      {
        type: 'input', block_id: INCIDENT_MODAL_INPUTS.title, optional: true,
        label: { type: 'plain_text', text: 'Title' },
        element: { type: 'plain_text_input', action_id: INCIDENT_MODAL_INPUTS.title, max_length: 200, placeholder: { type: 'plain_text', text: plain(playbook.title, 150) } },
      },
      {
        type: 'input', block_id: INCIDENT_MODAL_INPUTS.severity, optional: true,
        label: { type: 'plain_text', text: 'Severity' },
        element: { type: 'static_select', action_id: INCIDENT_MODAL_INPUTS.severity, options: INCIDENT_SEVERITIES.map((s) => option(s)), initial_option: option(playbook.severity) },
      },
      ...schemaFields(playbook.inputSchema).map(({ name, property, required }) => fieldBlock(name, property, required)),
    ],
  };
}

function fieldBlock(name: string, property: SchemaProperty, required: boolean): InputBlock {
  const id = inputBlockId(name);
  const label = { type: 'plain_text' as const, text: plain(property.description ? `${name}: ${property.description}` : name, 2000) };
  const block = { type: 'input' as const, block_id: id, label, optional: !required };
  if (property.enum) return { ...block, element: { type: 'static_select', action_id: id, options: property.enum.map((v) => option(String(v))) } };
  switch (property.type) {
    case 'integer':
    case 'number':
      return {
        ...block,
        element: {
          type: 'number_input', action_id: id, is_decimal_allowed: property.type === 'number',
          ...(property.minimum !== undefined && { min_value: String(property.minimum) }),
          ...(property.maximum !== undefined && { max_value: String(property.maximum) }),
          ...(typeof property.default === 'number' && { initial_value: String(property.default) }),
        },
      };
    case 'boolean':
      return { ...block, optional: true, element: { type: 'checkboxes', action_id: id, options: [option('yes', name)] } };
    default:
      return {
        ...block,
        element: {
          type: 'plain_text_input', action_id: id,
          ...(property.maxLength !== undefined && { max_length: Math.min(property.maxLength, 3000) }),
          ...(property.maxLength !== undefined && property.maxLength > MULTILINE_FROM && { multiline: true }),
        },
      };
  }
}

function option(value: string, label = value): PlainTextOption {
  return { text: { type: 'plain_text', text: plain(label, 75) }, value: value.slice(0, 150) };
}

/**
 * `/secops incident` without a playbook: a modal to choose one. It has no submit button: a
 * choice replaces it with that playbook's form (views.update), which is submitted as usual.
 */
export function playbookPickerModal(playbooks: ModalPlaybook[]): ModalView {
  const described = playbooks.map((p) => `• *${line(p.title, 200)}* ${code(p.id, 80)} (${p.severity}): ${line(p.description, 300)}`).join('\n');
  return {
    type: 'modal',
    callback_id: PLAYBOOK_PICKER_CALLBACK,
    title: { type: 'plain_text', text: 'Open an incident' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: text(`Which playbook?\n${described}`, 3000) } },
      {
        type: 'actions', block_id: PLAYBOOK_PICKER_ACTION,
        elements: [{
          type: 'static_select', action_id: PLAYBOOK_PICKER_ACTION, placeholder: { type: 'plain_text', text: 'Choose a playbook' },
          options: playbooks.slice(0, 100).map((p) => option(p.id, `${p.title} (${p.id})`)),
        }],
      },
    ],
  };
}

/** `/secops incident` with an unknown playbook: which ones there are, and how to open one. */
export function playbookListMessage(playbooks: ModalPlaybook[], problem?: string): SlackMessage {
  const list = playbooks.map((p) => `• ${code(p.id, 80)} — ${line(p.title, 200)} (${p.severity}): ${line(p.description, 500)}`).join('\n');
  const intro = problem ? `:warning: ${line(problem, 500)}\n\n` : '';
  return {
    text: `${problem ? `${line(problem, 500)} — ` : ''}Open an incident with /secops incident <playbook>; playbooks: ${playbooks.map((p) => p.id).join(', ')}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${intro}Open an incident with ${code('/secops incident <playbook>', 80)}. Playbooks:\n${list}` } }],
  };
}

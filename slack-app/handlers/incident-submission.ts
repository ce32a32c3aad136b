import type { App } from '@slack/bolt';
import { authorize, NotAuthorizedError } from '../../client/authorize';
import { findPlaybook } from '../../client/playbooks';
import { incidentInput, startIncident } from '../../client/start-incident';
import { INCIDENT_SEVERITIES, type IncidentSeverity } from '../../domain/incident';
import { ValidationError, type InputProblem } from '../../domain/validation-error';
import { INCIDENT_MODAL_CALLBACK, INCIDENT_MODAL_INPUTS, inputBlockId, schemaFields, type SchemaProperty } from '../../render/slack/incident-modal';
import { code } from '../../render/slack/mrkdwn';
import type { SlackAppDeps } from '../deps';
import { viewSubmissionSchema, type ViewSubmission } from '../payloads';
import { slackRequester } from '../requester';
import { tellUser } from '../tell-user';

const SOURCE = '/secops incident';

/**
 * The incident form. Its input is checked by the same incidentInput as the CLI's before
 * ack(), so a bad field is shown beside that field and nothing starts; once it passes, the
 * incident starts with the person who submitted it as commander, and they are told its id.
 */
export function registerIncidentSubmission(app: App, deps: SlackAppDeps): void {
  app.view(INCIDENT_MODAL_CALLBACK, async ({ ack, body, client }) => {
    const submission = viewSubmissionSchema.safeParse(body);
    const playbook = submission.success ? findPlaybook(submission.data.metadata) : undefined;
    if (!submission.success || !playbook) return ack(errors({ [INCIDENT_MODAL_INPUTS.title]: 'this form could not be read; use /secops incident <playbook> again' }));
    const { user } = submission.data;
    const fields = schemaFields(playbook.inputSchema);
    const blocks = new Set(fields.map((f) => inputBlockId(f.name)));
    try {
      await authorize(deps, slackRequester(client, user), 'incident.start', playbook.id);
      const severity = submission.data.input(INCIDENT_MODAL_INPUTS.severity);
      const title = submission.data.input(INCIDENT_MODAL_INPUTS.title);
      const input = incidentInput(deps.config, {
        playbook: playbook.id,
        input: playbookInput(submission.data, fields),
        ...(title && { title }),
        ...(isSeverity(severity) && { severity }),
        trigger: { kind: 'slack', by: `slack:${user}`, at: new Date().toISOString() },
        commander: `slack:${user}`,
      }, SOURCE);
      const { incidentId, workflowId } = await startIncident(deps.client, deps.config, input);
      await ack();
      await tellUser(client, { user }, `Opened incident ${code(incidentId, 200)} (${code(workflowId, 250)}) with you as commander; its channel follows.`);
    } catch (error) {
      if (error instanceof ValidationError) return ack(errors(problemsByBlock(error.problems, blocks)));
      const message = error instanceof NotAuthorizedError ? error.message : `nothing was started: ${error instanceof Error ? error.message : String(error)}`;
      return ack(errors({ [INCIDENT_MODAL_INPUTS.title]: message.slice(0, 2000) }));
    }
  });
}

/** The form's answers typed as the playbook's JSON Schema says; an empty optional field is left out so its default applies. */
function playbookInput(submission: ViewSubmission, fields: { name: string; property: SchemaProperty; required: boolean }[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const { name, property, required } of fields) {
    const id = inputBlockId(name);
    if (property.type === 'boolean' && !property.enum) {
      input[name] = submission.checked(id);
      continue;
    }
    const raw = submission.input(id);
    if (raw === '') {
      // A required string left empty goes through as '', so the playbook's own message (not "required") says what it needs.
      if (required && property.type === 'string') input[name] = '';
      continue;
    }
    const number = Number(raw);
    input[name] = (property.type === 'integer' || property.type === 'number') && Number.isFinite(number) ? number : raw;
  }
  return input;
}

/** Each problem beside its field; one about no field (the playbook, its approvals) on the first input. */
function problemsByBlock(problems: InputProblem[], blocks: Set<string>): Record<string, string> {
  const byBlock: Record<string, string> = {};
  for (const problem of problems) {
    const field = problem.path?.match(/^input\.[^.]+/)?.[0];
    const block = field && blocks.has(field) ? field : INCIDENT_MODAL_INPUTS.title;
    const message = block === field ? problem.message : `${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
    byBlock[block] = (byBlock[block] ? `${byBlock[block]}; ${message}` : message).slice(0, 2000);
  }
  return byBlock;
}

function isSeverity(value: string): value is IncidentSeverity {
  return (INCIDENT_SEVERITIES as readonly string[]).includes(value);
}

function errors(byBlock: Record<string, string>) {
  return { response_action: 'errors' as const, errors: byBlock };
}

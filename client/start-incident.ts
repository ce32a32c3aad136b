import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { ApprovalPolicy } from '../domain/approval';
import { gatePolicyOf, type Principal } from '../domain/approval-rules';
import type { Config } from '../domain/config';
import { incidentIdOf, incidentWorkflowId, type IncidentSeverity } from '../domain/incident';
import { incidentSigners } from '../domain/incident-routes';
import { ValidationError, problemsFromZod, type InputProblem } from '../domain/validation-error';
import type { AlertDelivery } from '../workflows/incident-definitions';
import { incidentResponse, type IncidentInput } from '../workflows/incident-response';
import { PLAYBOOKS } from '../workflows/playbooks';
import { preparePlaybook } from './playbook-preparation';

export interface IncidentRequest {
  playbook: string;
  input: unknown;
  title?: string;
  severity?: IncidentSeverity;
  trigger: IncidentInput['trigger'];
  commander?: Principal;
  participants?: Principal[];
  alerts?: AlertDelivery;
}

/**
 * Everything an incident's run needs, checked before anything starts: the playbook exists,
 * its input passes its schema, and every approval it may ask has a policy in the config.
 * Bad input is a ValidationError naming the field (`source` says where it came from).
 */
export function incidentInput(config: Config, request: IncidentRequest, source: string, at = new Date()): IncidentInput {
  const playbook = PLAYBOOKS[request.playbook];
  if (!playbook) throw new ValidationError(source, [{ path: 'playbook', message: `unknown playbook ${request.playbook}; known: ${Object.keys(PLAYBOOKS).join(', ')}` }]);
  const parsed = playbook.input.safeParse(request.input);
  if (!parsed.success) throw new ValidationError(source, problemsFromZod(parsed.error).map((p) => ({ ...p, path: p.path ? `input.${p.path}` : 'input' })));
  const approvals: Record<string, ApprovalPolicy> = {};
  const missing: InputProblem[] = [];
  for (const kind of playbook.approvals) {
    const policy = gatePolicyOf(config, kind);
    if (policy) approvals[kind] = policy;
    else missing.push({ path: `approvals.${kind}`, message: `playbook ${playbook.id} asks this approval, and the config has no policy for it` });
  }
  if (missing.length > 0) throw new ValidationError(source, missing);
  const preparation = preparePlaybook(config, playbook.id, parsed.data as Record<string, unknown>, source);
  const title = request.title ?? playbook.title;
  return {
    incidentId: incidentIdOf(title, at, randomBytes(3).toString('hex')),
    title,
    playbook: playbook.id,
    playbookInput: parsed.data,
    ...(request.severity && { severity: request.severity }),
    trigger: request.trigger,
    ...(request.commander && { commander: request.commander }),
    participants: [...new Set([...(request.commander ? [request.commander] : []), ...(request.participants ?? []), ...preparation.participants])],
    signers: incidentSigners(config),
    approvals,
    ...(preparation.prepared !== undefined && { prepared: preparation.prepared }),
    ...(request.alerts && { alerts: request.alerts }),
  };
}

/** Opens an incident someone asked for (CLI, Slack): its run is `incident:<id>`. */
export async function startIncident(client: Client, config: Config, input: IncidentInput): Promise<{ incidentId: string; workflowId: string }> {
  const workflowId = incidentWorkflowId(input.incidentId);
  await client.workflow.start(incidentResponse, { taskQueue: config.taskQueues.control, workflowId, args: [input] });
  return { incidentId: input.incidentId, workflowId };
}

import { ApplicationFailure, condition, workflowInfo } from '@temporalio/workflow';
import type { ApprovalPolicy } from '../domain/approval';
import type { ApprovalRequest, Principal } from '../domain/approval-rules';
import { failureMessage } from '../domain/failure-message';
import { requestApproval } from './approval';
import type { IncidentRun } from './incident-run';
import type { PlaybookContext } from './playbooks/playbook';

/**
 * The helpers a playbook is written with, bound to one incident: each puts what it does on
 * the timeline, so no playbook has to remember to.
 */
export function playbookContext(incident: IncidentRun, approvals: Readonly<Record<string, ApprovalPolicy>>, requestedBy: ApprovalRequest['requestedBy'], prepared: unknown): PlaybookContext {
  let tasks = 0;
  return {
    incident: { id: incident.view.id, title: incident.view.title },

    async step(name, run) {
      await incident.record('step', 'system', `${name}: started`, { step: name, state: 'started' });
      try {
        const result = await run();
        await incident.record('step', 'system', `${name}: done`, { step: name, state: 'done' });
        return result;
      } catch (error) {
        await incident.record('step', 'system', `${name}: failed: ${failureMessage(error)}`, { step: name, state: 'failed' });
        throw error;
      }
    },

    async approve(policyKind, summary, risk = 'high') {
      const policy = approvals[policyKind];
      // The client refuses a start without the playbook's policies; a run whose config lost one since cannot ask anybody.
      if (!policy) throw ApplicationFailure.nonRetryable(`no approval policy ${policyKind} in this run's input`, 'MissingApprovalPolicy');
      await incident.record('approval', 'system', `approval asked (${policyKind}): ${summary}`, { policy: policyKind, state: 'requested' });
      const decision = await requestApproval({ action: policyKind, summary, risk, requestedBy, details: `incident ${incident.view.id}` }, policy);
      const by = decision.decidedBy.join(', ') || 'policy';
      await incident.record('approval', by, `${decision.approved ? 'approved' : 'rejected'} (${policyKind}): ${decision.reason}`, { policy: policyKind, state: decision.approved ? 'approved' : 'rejected' });
      return decision.approved;
    },

    async humanTask(title, assignee?: Principal) {
      const taskId = `${workflowInfo().runId.slice(0, 8)}-${++tasks}`;
      incident.view.openTasks.push({ taskId, title, ...(assignee && { assignee }), openedAt: new Date().toISOString() });
      await incident.record('human-task', 'system', `task opened: ${title}${assignee ? ` (assigned to ${assignee})` : ''}`, { taskId, state: 'open' });
      await incident.save();
      await condition(() => incident.taskOutcomes.has(taskId) || incident.closed);
      return incident.taskOutcomes.get(taskId) ?? 'not-needed';
    },

    note: (text, data) => incident.record('note', 'system', text, data),
    milestone: (milestone) => incident.reached(milestone, 'playbook'),
    async resolve(summary) {
      incident.resolution ??= { summary, by: 'playbook' };
    },
    async fixClaimed() {
      await condition(() => incident.fixClaims.length > 0);
      return incident.fixClaims.shift()!;
    },
    prepared,
  };
}

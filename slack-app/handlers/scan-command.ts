import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { startScan } from '../../client/start-scan';
import { findTarget } from '../../domain/dast';
import { activeScanPolicyProblem, isActiveProfile, type ScanProfile } from '../../domain/scan-profiles';
import { code, line } from '../../render/slack/mrkdwn';
import type { SlackAppDeps } from '../deps';
import type { SlashCommand } from '../payloads';
import type { Reply } from './reply';

/**
 * The run id comes from the request's trigger_id, which Slack makes unique per command:
 * a replayed signed request asks for the same id, and Temporal refuses to start it twice.
 */
export function slackScanWorkflowId(targetId: string, triggerId: string): string {
  return `dast:${targetId}:slack-${triggerId}`;
}

/** `/secops scan <target> [profile]`: the same checks as the config file, then the same start as the CLI. */
export async function scanCommand(deps: SlackAppDeps, request: { targetId: string; profile?: ScanProfile }, command: SlashCommand): Promise<Reply> {
  const configured = findTarget(deps.config, request.targetId);
  if (!configured) {
    const known = deps.config.targets.map((t) => t.id).join(', ') || 'none';
    return { text: `:warning: No target ${code(request.targetId, 80)} in the config (configured: ${line(known, 1000)}).` };
  }
  const target = request.profile ? { ...configured, profile: request.profile } : configured;
  if (target.profile === 'api' && !target.apiSpec) return { text: `:warning: The api profile needs an \`apiSpec\` for ${code(target.id, 80)} in the config.` };
  const policyProblem = activeScanPolicyProblem(target.profile, deps.config.approvals);
  if (policyProblem) return { text: `:warning: ${line(policyProblem, 300)} in the config; nothing was started.` };
  const workflowId = slackScanWorkflowId(target.id, command.trigger_id);
  try {
    await startScan(deps.client, deps.config, target, `slack:${command.user_id}`, workflowId);
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { text: `This request already started ${code(workflowId, 600)}; nothing new was started.` };
    throw error;
  }
  const gate = !isActiveProfile(target.profile) ? '' : ' It scans actively, so it waits for approval first.';
  return { text: `Started a ${target.profile} scan of *${line(target.id, 64)}*: ${code(workflowId, 600)}.${gate} Follow it with \`/secops status ${workflowId}\`.` };
}

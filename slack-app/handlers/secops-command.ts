import type { App } from '@slack/bolt';
import { myApprovalsMessage } from '../../render/slack/pending-approvals';
import { line } from '../../render/slack/mrkdwn';
import { usageMessage } from '../../render/slack/usage';
import type { SlackAppDeps } from '../deps';
import { myPendingApprovals } from '../../client/pending-approvals';
import { slashCommandSchema } from '../payloads';
import { parseSecopsCommand } from '../secops-command';
import { authorize, NotAuthorizedError } from '../../client/authorize';
import { slackRequester } from '../requester';
import { incidentCommand } from './incident-command';
import { rotateCommand } from './rotate-command';
import { scanCommand } from './scan-command';
import { statusCommand } from './status-command';
import type { Reply } from './reply';

/**
 * `/secops`. Help and usage are the answer itself, so they go back with ack(); every
 * other subcommand is acknowledged first (Slack waits 3 s at most), then answered
 * through respond() once Temporal has replied.
 */
export function registerSecopsCommand(app: App, deps: SlackAppDeps): void {
  app.command('/secops', async ({ ack, body, respond, client }) => {
    const parsed = slashCommandSchema.safeParse(body);
    const command = parsed.success ? parseSecopsCommand(parsed.data.text) : { kind: 'usage' as const, problem: 'this command could not be read' };
    if (command.kind === 'usage' || !parsed.success) return ack({ response_type: 'ephemeral', ...usageMessage(command.kind === 'usage' ? command.problem : undefined) });
    await ack();
    const requester = slackRequester(client, parsed.data.user_id);
    const answer = async (): Promise<Reply | undefined> => {
      switch (command.kind) {
        case 'scan':
          await authorize(deps, requester, 'dast.scan', command.targetId);
          return scanCommand(deps, command, parsed.data);
        case 'approvals':
          return myApprovalsMessage(await myPendingApprovals(deps.client, requester.who));
        case 'status':
          await authorize(deps, requester, 'run.status', command.workflowId);
          return statusCommand(deps.client, command.workflowId);
        case 'rotate':
          await authorize(deps, requester, 'rotation.start', command.credentialId);
          return rotateCommand(deps, command.credentialId, parsed.data);
        case 'incident':
          await authorize(deps, requester, 'incident.start', command.playbook ?? 'incident');
          return incidentCommand(client, command.playbook, parsed.data);
      }
    };
    const reply = await answer().catch((error: unknown) => ({
      text: `${error instanceof NotAuthorizedError ? ':no_entry:' : ':warning:'} ${line(error instanceof Error ? error.message : String(error), 1500)}`,
    }));
    // An opened modal is the answer itself.
    if (reply) await respond({ response_type: 'ephemeral', ...reply });
  });
}

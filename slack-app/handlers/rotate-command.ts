import { RotationAlreadyRunningError, startRotation } from '../../client/start-rotation';
import { findCredential } from '../../domain/rotation';
import { code, line } from '../../render/slack/mrkdwn';
import type { SlackAppDeps } from '../deps';
import type { SlashCommand } from '../payloads';
import type { Reply } from './reply';

/** `/secops rotate <credential>`: the same start as `secops rotate`; one rotation per credential at a time. */
export async function rotateCommand(deps: SlackAppDeps, credentialId: string, command: SlashCommand): Promise<Reply> {
  const credential = findCredential(deps.config, credentialId);
  if (!credential) {
    const known = deps.config.credentials.map((c) => c.id).join(', ') || 'none';
    return { text: `:warning: No credential ${code(credentialId, 80)} in the config (configured: ${line(known, 1000)}).` };
  }
  try {
    const handle = await startRotation(deps.client, deps.config, credential, `slack:${command.user_id}`);
    return { text: `Started the rotation of *${line(credential.id, 64)}*: ${code(handle.workflowId, 200)}. Follow it with \`/secops status ${handle.workflowId}\`.` };
  } catch (error) {
    if (error instanceof RotationAlreadyRunningError) return { text: `:warning: ${line(error.message, 300)}; nothing new was started.` };
    throw error;
  }
}

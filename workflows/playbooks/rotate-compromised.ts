import { executeChild, ParentClosePolicy, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { rotationWorkflowId } from '../../domain/action-kinds';
import type { CredentialRotationInput } from '../credential-rotation';
import { credentialRotation } from '../credential-rotation';
import type { PlaybookContext } from './playbook';

/** What the front end prepares for the credential playbooks (client/playbook-preparation.ts). */
export interface CredentialPrepared {
  rotation: CredentialRotationInput;
}

/**
 * The steps a compromised or leaked credential shares: rotate it as a child credentialRotation
 * under its own id (`rotate:<credential>`, so it never runs beside a scheduled one; it is left
 * to finish its grace period if the incident closes first), tell its consumers why, and have a
 * person review its access logs from when the impact started.
 */
export async function rotateCompromised(ctx: PlaybookContext, why: string): Promise<void> {
  const { rotation } = ctx.prepared as CredentialPrepared;
  const credential = rotation.credential;
  const notify = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 5 } });
  const rotated = await ctx.step(`rotate ${credential.id}`, () => executeChild(credentialRotation, {
    workflowId: rotationWorkflowId(credential.id),
    taskQueue: rotation.taskQueue,
    args: [rotation],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  }));
  await ctx.note(`${credential.id} rotated: version ${rotated.versionId} (user ${rotated.username}) is in service${rotated.revokedPrevious ? `, ${rotated.revokedPrevious} revoked` : ''}`, { credentialId: credential.id, versionId: rotated.versionId });
  await ctx.milestone('mitigated');
  await ctx.step('tell its consumers', () => notify.notifyRotation({
    credentialId: credential.id, ...(credential.consumersChannel && { channel: credential.consumersChannel }),
    text: `rotated because of incident ${ctx.incident.id} (${why}); the previous secret no longer works`,
  }));
  await ctx.humanTask(`Review the access logs of ${credential.id} since the impact started, for use of the old secret`);
}

import { ApplicationFailure, CancellationScope, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ApprovalPolicy, Principal } from '../domain/approval';
import { PROMOTE_ACTION } from '../domain/action-kinds';
import type { CredentialConfig } from '../domain/credential';
import { durationMs } from '../domain/duration';
import { failureMessage } from '../domain/failure-message';
import { requestApproval } from './approval';

export interface CredentialRotationInput {
  credential: CredentialConfig;
  taskQueue: string;
  requestedBy: Principal | 'schedule';
  /** When set, someone it names approves the promotion of the verified credential. */
  promotePolicy?: ApprovalPolicy;
}

export interface CredentialRotationResult {
  credentialId: string;
  versionId: string;
  username: string;
  revokedPrevious?: string;
}

/**
 * Rotates one credential as a saga: create pending → apply → verify → (approval) → promote
 * → grace period → revoke previous. A failure before promotion runs the compensations, so
 * CURRENT keeps working and PENDING is gone, and on-call hears what failed and what was
 * rolled back. The workflow id `rotate:<credential>` keeps two rotations of one credential
 * from running at once. Only version ids and user names pass through here, never a secret.
 */
export async function credentialRotation(input: CredentialRotationInput): Promise<CredentialRotationResult> {
  const { credential } = input;
  const steps = proxyActivities<Activities>({
    taskQueue: input.taskQueue,
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 5, initialInterval: '1 second', nonRetryableErrorTypes: ['RotationTargetRefused', 'PendingGone'] },
  });
  const tell = (channel: string | undefined, text: string) => steps.notifyRotation({ credentialId: credential.id, channel, text });

  const pending = await steps.createPendingCredential({ credential });
  const undo: { name: string; run: () => Promise<string> }[] = [
    { name: 'discard PENDING', run: async () => (await steps.discardPendingCredential({ credential, versionId: pending.versionId }), `discarded PENDING version ${pending.versionId}`) },
  ];
  let step = 'apply';
  try {
    undo.unshift({ name: 'restore CURRENT', run: async () => (await steps.restoreCurrentCredential({ credential, versionId: pending.versionId })).restored });
    await steps.applyPendingCredential({ credential, versionId: pending.versionId });
    step = 'verify';
    await steps.verifyPendingCredential({ credential, versionId: pending.versionId });
    if (input.promotePolicy) {
      step = 'approval';
      const decision = await requestApproval({
        action: PROMOTE_ACTION,
        summary: `Promote the new credential of ${credential.id} (user ${pending.username}, version ${pending.versionId})`,
        details: `Verified by a real login. After promotion the previous credential keeps working for ${credential.gracePeriod}.`,
        risk: 'medium',
        requestedBy: input.requestedBy,
      }, input.promotePolicy);
      if (!decision.approved) throw ApplicationFailure.nonRetryable(`promotion not approved: ${decision.reason}`, 'NotApproved');
    }
    step = 'promote';
    await steps.promoteCredential({ credential, versionId: pending.versionId });
  } catch (error) {
    const rolledBack = await CancellationScope.nonCancellable(async () => {
      const done: string[] = [];
      for (const compensation of undo) done.push(await compensation.run().catch((e: Error) => `${compensation.name} FAILED: ${e.message}`));
      await tell(credential.onCallChannel, `rotation ${workflowInfo().workflowId} failed at ${step}: ${failureMessage(error)}. Rolled back: ${done.join('; ')}.`);
      return done;
    });
    throw ApplicationFailure.nonRetryable(`rotation of ${credential.id} failed at ${step}: ${failureMessage(error)} (rolled back: ${rolledBack.join('; ')})`, 'RotationFailed');
  }

  if (credential.target.strategy === 'alternating-users') {
    // The other user keeps its password until the next rotation re-passwords it: consumers
    // switch over at their own pace, and a rollback target always exists.
    await tell(credential.consumersChannel, `new credential promoted (user ${pending.username}, version ${pending.versionId}); the previous user works until the next rotation.`);
    return { credentialId: credential.id, versionId: pending.versionId, username: pending.username };
  }
  await tell(credential.consumersChannel, `new credential promoted (user ${pending.username}, version ${pending.versionId}); the previous version is dropped in ${credential.gracePeriod}.`);
  await sleep(durationMs(credential.gracePeriod));
  const { revoked } = await steps.revokePreviousCredential({ credential });
  return { credentialId: credential.id, versionId: pending.versionId, username: pending.username, ...(revoked && { revokedPrevious: revoked }) };
}

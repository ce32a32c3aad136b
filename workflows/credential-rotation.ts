import {
  ApplicationFailure, CancellationScope, patched, proxyActivities, sleep, upsertSearchAttributes, workflowInfo, type ActivityInterfaceFor,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ApprovalPolicy } from '../domain/approval';
import type { Principal } from '../domain/approval-rules';
import { PROMOTE_ACTION } from '../domain/action-kinds';
import type { CredentialConfig } from '../domain/credential';
import { durationMs } from '../domain/duration';
import { failureMessage } from '../domain/failure-message';
import { RECOVER_ACTION, keptSecretNotice } from '../domain/rotation';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { requestApproval } from './approval';

/** Patch ids (`patched`): a run started before a change replays the code it ran. */
export const KEEP_PENDING_PATCH = 'rotation-keeps-pending-when-restore-fails';
export const ALTERNATING_REVOKE_PATCH = 'rotation-alternating-revokes-previous';

export interface CredentialRotationInput {
  credential: CredentialConfig;
  taskQueue: string;
  requestedBy: Principal | 'schedule';
  /** When set, someone it names approves the promotion of the verified credential. */
  promotePolicy?: ApprovalPolicy;
  /** Who may approve retrying a restore of CURRENT that failed; the promote policy when absent. */
  recoverPolicy?: ApprovalPolicy;
}

export interface CredentialRotationResult {
  credentialId: string;
  versionId: string;
  username: string;
  revokedPrevious?: string;
}

type Steps = ActivityInterfaceFor<Activities>;
interface Pending {
  versionId: string;
  username: string;
}
/** How a failed rotation ended: the failure's closing words and its type. */
interface Outcome {
  summary: string;
  type: 'RotationFailed' | 'RotationNeedsAttention' | 'RotationFinishedByHand';
}

/**
 * Rotates one credential as a saga: create pending → apply → verify → (approval) → promote
 * → grace period → revoke previous. A failure before promotion runs the compensations, so
 * CURRENT keeps working and PENDING is gone, and on-call hears what failed and what was
 * rolled back — unless CURRENT cannot be restored: then PENDING may be the one secret the
 * target accepts, so it is kept and the run waits for people (see needsAttention). The
 * workflow id `rotate:<credential>` keeps two rotations of one credential from running at
 * once. Only version ids and user names pass through here, never a secret.
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
  let step = 'apply';
  try {
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
    const failure = `failed at ${step}: ${failureMessage(error)}`;
    const outcome = await CancellationScope.nonCancellable(() => rollBack(steps, input, pending, step, failure));
    throw ApplicationFailure.nonRetryable(`rotation of ${credential.id} ${failure} (${outcome.summary})`, outcome.type);
  }

  // Runs started before the patch left an alternating previous user working until the next rotation.
  if (credential.target.strategy === 'alternating-users' && !patched(ALTERNATING_REVOKE_PATCH)) {
    await tell(credential.consumersChannel, `new credential promoted (user ${pending.username}, version ${pending.versionId}); the previous user works until the next rotation.`);
    return { credentialId: credential.id, versionId: pending.versionId, username: pending.username };
  }
  await tell(credential.consumersChannel, `new credential promoted (user ${pending.username}, version ${pending.versionId}); the previous version is dropped in ${credential.gracePeriod}.`);
  await sleep(durationMs(credential.gracePeriod));
  const { revoked } = await steps.revokePreviousCredential({ credential });
  return { credentialId: credential.id, versionId: pending.versionId, username: pending.username, ...(revoked && { revokedPrevious: revoked }) };
}

/** The compensations: CURRENT restored on the target, then PENDING discarded, then on-call told. */
async function rollBack(steps: Steps, input: CredentialRotationInput, pending: Pending, step: string, failure: string): Promise<Outcome> {
  const { credential } = input;
  const restored = await restoreCurrent(steps, credential, pending);
  // Runs started before the patch discarded PENDING even when the restore had failed.
  if (restored.error !== undefined && patched(KEEP_PENDING_PATCH)) return needsAttention(steps, input, pending, step, failure, restored.error);
  const done = [restored.error === undefined ? restored.restored : `restore CURRENT FAILED: ${restored.error}`, await discardPending(steps, credential, pending)];
  await steps.notifyRotation({ credentialId: credential.id, channel: credential.onCallChannel, text: `rotation ${workflowInfo().workflowId} ${failure}. Rolled back: ${done.join('; ')}.` });
  return { summary: `rolled back: ${done.join('; ')}`, type: 'RotationFailed' };
}

/**
 * CURRENT could not be restored, so the target may accept only PENDING: it is never
 * discarded here. The run is marked needs-attention, on-call hears which version the target
 * accepts and where it is kept, and a `rotation.recover` approval decides: approve = retry
 * the restore now (asked again if that fails too), reject with a reason = finished by hand.
 * With no policy nobody could approve a retry, so the run ends at once, PENDING kept.
 */
async function needsAttention(steps: Steps, input: CredentialRotationInput, pending: Pending, step: string, failure: string, restoreError: string): Promise<Outcome> {
  const { credential } = input;
  const run = workflowInfo().workflowId;
  const tellOnCall = (text: string) => steps.notifyRotation({ credentialId: credential.id, channel: credential.onCallChannel, text });
  const kept = keptSecretNotice(credential, pending, step);
  const policy = input.recoverPolicy ?? input.promotePolicy;
  markVerdict('needs-attention');
  const ask = policy
    ? `Approve the ${RECOVER_ACTION} request to retry the restore, or reject it with a reason once it is finished by hand.`
    : `No approvals."${RECOVER_ACTION}" (or "${PROMOTE_ACTION}") policy can approve a retry, so this run ends here: restore CURRENT by hand, then discard PENDING.`;
  // What to do first, why after: Slack messages are cut at 3000 characters, failure messages can be long.
  await tellOnCall(`NEEDS ATTENTION: rotation ${run} could not restore CURRENT. ${kept}. ${ask} (The rotation ${failure}; restoring CURRENT failed: ${restoreError}.)`);
  if (!policy) return { summary: `restore CURRENT FAILED: ${restoreError}; needs attention: ${kept}`, type: 'RotationNeedsAttention' };
  let lastError = restoreError;
  for (;;) {
    const decision = await requestApproval({
      action: RECOVER_ACTION,
      summary: `Retry restoring CURRENT of ${credential.id}: the rotation ${failure}, and the restore failed: ${lastError}`,
      details: `${kept}. Reject with a reason once it is finished by hand.`,
      risk: 'high',
      requestedBy: input.requestedBy,
    }, policy);
    if (!decision.approved && decision.decidedBy.length > 0) {
      markVerdict('finished-by-hand');
      const byHand = `finished by hand per ${decision.decidedBy.join(', ')}: ${decision.reason}`;
      await tellOnCall(`rotation ${run} ${byHand}. ${kept}; this run leaves both in place.`);
      return { summary: `restore CURRENT FAILED: ${lastError}; ${byHand}; ${kept}`, type: 'RotationFinishedByHand' };
    }
    // Expired unanswered: the target still needs someone, so ask again.
    if (!decision.approved) continue;
    const retried = await restoreCurrent(steps, credential, pending);
    if (retried.error === undefined) {
      const discarded = await discardPending(steps, credential, pending);
      markVerdict('recovered');
      await tellOnCall(`rotation ${run}: the retried restore worked: ${retried.restored}; ${discarded}.`);
      return { summary: `rolled back after a retried restore: ${retried.restored}; ${discarded}`, type: 'RotationFailed' };
    }
    lastError = retried.error;
    await tellOnCall(`rotation ${run}: the retried restore failed again: ${lastError}. ${kept}. Asking again.`);
  }
}

async function restoreCurrent(steps: Steps, credential: CredentialConfig, pending: Pending): Promise<{ restored: string; error?: undefined } | { error: string }> {
  return steps.restoreCurrentCredential({ credential, versionId: pending.versionId }).then(
    ({ restored }) => ({ restored }),
    (error: unknown) => ({ error: failureMessage(error) }),
  );
}

async function discardPending(steps: Steps, credential: CredentialConfig, pending: Pending): Promise<string> {
  return steps.discardPendingCredential({ credential, versionId: pending.versionId }).then(
    () => `discarded PENDING version ${pending.versionId}`,
    (error: unknown) => `discard PENDING FAILED: ${failureMessage(error)}`,
  );
}

/** `SecopsVerdict = "needs-attention"` finds every rotation waiting on people. */
function markVerdict(verdict: 'needs-attention' | 'finished-by-hand' | 'recovered'): void {
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.verdict, value: verdict }]);
}

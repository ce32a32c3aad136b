import { PROMOTE_ACTION } from './action-kinds';
import { gatePolicyOf, type Principal } from './approval-rules';
import type { Config } from './config';
import type { CredentialConfig } from './credential';
import { secretLocation } from './secret-location';

/**
 * Retrying the restore of CURRENT after it failed (credentialRotation's needs-attention
 * state). Its own policy when the config has one, else the promote policy: whoever may put
 * a new credential in service may also say when the old one can be tried again.
 */
export const RECOVER_ACTION = 'rotation.recover';

/** The input of `credentialRotation`: the credential's config, never a secret. */
export function credentialRotationInput(config: Config, credential: CredentialConfig, requestedBy: Principal | 'schedule') {
  const promotePolicy = gatePolicyOf(config, PROMOTE_ACTION);
  const recoverPolicy = gatePolicyOf(config, RECOVER_ACTION);
  return { credential, taskQueue: config.taskQueues.control, requestedBy, ...(promotePolicy && { promotePolicy }), ...(recoverPolicy && { recoverPolicy }) };
}

export function findCredential(config: Config, credentialId: string): CredentialConfig | undefined {
  return config.credentials.find((c) => c.id === credentialId);
}

/** Schedules are named after their credential, like DAST's. */
export function rotationScheduleId(credentialId: string): string {
  return `rotate-schedule:${credentialId}`;
}

/**
 * What on-call must know when CURRENT could not be restored: which version the target
 * accepts now and where that version is kept (never its value). `failedStep` is where the
 * rotation stopped: a failed apply may have changed the password or not.
 */
export function keptSecretNotice(credential: CredentialConfig, pending: { versionId: string; username: string }, failedStep: string): string {
  const kept = `PENDING version ${pending.versionId} (user ${pending.username}) is kept in the ${secretLocation(credential)}, next to CURRENT`;
  if (credential.target.strategy === 'alternating-users') {
    return `${kept}; user ${pending.username} still accepts PENDING version ${pending.versionId} (it could not be disabled), the CURRENT user was not touched`;
  }
  if (failedStep === 'apply') return `${kept}; role ${pending.username} accepts either CURRENT or PENDING version ${pending.versionId} (the apply failed midway)`;
  return `${kept}; role ${pending.username} accepts only PENDING version ${pending.versionId} now`;
}

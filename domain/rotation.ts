import { PROMOTE_ACTION } from './action-kinds';
import type { Principal } from './approval';
import type { Config } from './config';
import type { CredentialConfig } from './credential';

/** The input of `credentialRotation`: the credential's config, never a secret. */
export function credentialRotationInput(config: Config, credential: CredentialConfig, requestedBy: Principal | 'schedule') {
  const promotePolicy = config.approvals[PROMOTE_ACTION];
  return { credential, taskQueue: config.taskQueues.control, requestedBy, ...(promotePolicy && { promotePolicy }) };
}

export function findCredential(config: Config, credentialId: string): CredentialConfig | undefined {
  return config.credentials.find((c) => c.id === credentialId);
}

/** Schedules are named after their credential, like DAST's. */
export function rotationScheduleId(credentialId: string): string {
  return `rotate-schedule:${credentialId}`;
}

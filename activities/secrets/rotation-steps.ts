import { ApplicationFailure, Context } from '@temporalio/activity';
import { z } from 'zod';
import type { CredentialConfig } from '../../domain/credential';
import { generateSecret } from '../../secrets/generate-secret';
import { RotationTargetError, type Credential } from '../../secrets/rotation-target';
import type { SecretVersion, VersionLabel } from '../../secrets/secret-store';
import type { CredentialProviders } from './credential-providers';

/**
 * The rotation's steps, each idempotent (safe to retry): create pending, apply, verify,
 * promote, revoke previous, and the compensations. Secret values exist only in here and in
 * the store: the workflow sees version ids and user names.
 */
export function createRotationActivities(providers: CredentialProviders) {
  async function credentialAt(credential: CredentialConfig, label: VersionLabel): Promise<Credential | undefined> {
    const version = await providers.store(credential).getVersion(credential.secretStore.path, label);
    return version ? storedCredential(credential, version) : undefined;
  }

  async function pendingCredential(credential: CredentialConfig, versionId: string): Promise<Credential> {
    const version = await providers.store(credential).getVersion(credential.secretStore.path, 'PENDING');
    if (!version || version.versionId !== versionId) throw ApplicationFailure.nonRetryable(`${credential.id}: version ${versionId} is no longer PENDING`, 'PendingGone');
    return storedCredential(credential, version);
  }

  /** A target's refusal is final (a retry meets the same refusal); anything else may be transient. */
  async function onTarget<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof RotationTargetError) throw ApplicationFailure.nonRetryable(error.message, 'RotationTargetRefused');
      throw error;
    }
  }

  return {
    async createPendingCredential(input: { credential: CredentialConfig }): Promise<{ versionId: string; username: string }> {
      const { credential } = input;
      const current = await credentialAt(credential, 'CURRENT');
      const username = providers.target(credential).nextUsername(current?.username);
      const run = Context.current().info.workflowExecution;
      if (!run) throw ApplicationFailure.nonRetryable('createPendingCredential runs inside a rotation workflow only');
      // The token makes a retry return the version the first attempt stored, not a second one.
      const { versionId } = await providers.store(credential).putPending(credential.secretStore.path, JSON.stringify({ username, password: generateSecret() }), {
        idempotencyToken: `${run.workflowId}/${run.runId}`,
      });
      return { versionId, username };
    },

    async applyPendingCredential(input: { credential: CredentialConfig; versionId: string }): Promise<void> {
      const pending = await pendingCredential(input.credential, input.versionId);
      await onTarget(() => providers.target(input.credential).apply(pending));
    },

    async verifyPendingCredential(input: { credential: CredentialConfig; versionId: string }): Promise<void> {
      const pending = await pendingCredential(input.credential, input.versionId);
      await onTarget(() => providers.target(input.credential).verify(pending));
    },

    async promoteCredential(input: { credential: CredentialConfig; versionId: string }): Promise<void> {
      await providers.store(input.credential).promote(input.credential.secretStore.path, input.versionId);
    },

    async revokePreviousCredential(input: { credential: CredentialConfig }): Promise<{ revoked?: string }> {
      const previous = await credentialAt(input.credential, 'PREVIOUS');
      if (previous) await onTarget(() => providers.target(input.credential).revoke(previous));
      await providers.store(input.credential).revokePrevious(input.credential.secretStore.path);
      return { revoked: previous?.username };
    },

    /**
     * Compensation after a failed apply/verify/promote: CURRENT must work again. If the
     * pending credential re-passworded the CURRENT user (single-user), the CURRENT password
     * is applied back; if it went to the other user (alternating), that user is disabled.
     */
    async restoreCurrentCredential(input: { credential: CredentialConfig; versionId: string }): Promise<{ restored: string }> {
      const { credential } = input;
      const target = providers.target(credential);
      const current = await credentialAt(credential, 'CURRENT');
      const pending = await providers.store(credential).getVersion(credential.secretStore.path, 'PENDING');
      // An unreadable PENDING (its own failure already reported) must not block getting CURRENT back.
      const pendingCredential = pending?.versionId === input.versionId ? readableOrUndefined(() => storedCredential(credential, pending)) : undefined;
      if (current && (!pendingCredential || pendingCredential.username === current.username)) {
        await onTarget(() => target.apply(current));
        return { restored: `re-applied the CURRENT password of ${current.username}` };
      }
      if (pendingCredential) {
        await onTarget(() => target.revoke(pendingCredential));
        return { restored: `disabled ${pendingCredential.username}; CURRENT ${current?.username ?? '(none)'} untouched` };
      }
      return { restored: 'nothing to restore' };
    },

    async discardPendingCredential(input: { credential: CredentialConfig; versionId: string }): Promise<void> {
      await providers.store(input.credential).discardPending(input.credential.secretStore.path, input.versionId);
    },
  };
}

function readableOrUndefined(read: () => Credential): Credential | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof ApplicationFailure && error.type === 'StoredValueInvalid') return undefined;
    throw error;
  }
}

const storedCredentialSchema = z.object({ username: z.string().min(1), password: z.string().min(1) });

/**
 * A stored value read back as a credential. JSON.parse's error quotes the start of the text
 * it choked on, which here is a password: the error names credential and version only, and
 * drops the parser's error altogether (not even as a cause, which loggers print).
 */
function storedCredential(credential: CredentialConfig, version: SecretVersion): Credential {
  const problem = `stored value of ${credential.id} version ${version.versionId}`;
  let value: unknown;
  try {
    value = JSON.parse(version.value);
  } catch {
    throw ApplicationFailure.nonRetryable(`${problem} is not valid JSON`, 'StoredValueInvalid');
  }
  const parsed = storedCredentialSchema.safeParse(value);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`${problem} is not a {username, password} object`, 'StoredValueInvalid');
  return parsed.data;
}

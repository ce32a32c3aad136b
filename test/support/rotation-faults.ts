import { ApplicationFailure } from '@temporalio/activity';
import type { CredentialProviders } from '../../activities/secrets/credential-providers';
import type { CredentialConfig } from '../../domain/credential';
import type { FileSecretStore } from '../../secrets/file-secret-store';
import { PostgresRoleTarget } from '../../secrets/postgres-role-target';
import { RotationTargetError, type Credential } from '../../secrets/rotation-target';
import type { SecretStore } from '../../secrets/secret-store';

/**
 * One broken step of a rotation, injected around the real store and the real PostgreSQL
 * target (every other call goes through to them):
 * - create: the store keeps the new value but its answer is lost;
 * - apply: the target refuses the new password (the compensation's re-apply of CURRENT goes through);
 * - garbled: PENDING comes back from the store as `x<password>`, not JSON: V8's JSON.parse quotes its first 10 characters;
 * - verify: the login probe fails after the new password was really applied;
 * - promote: the store refuses to promote;
 * - restore: as verify, and then re-applying anything but PENDING is refused, so CURRENT cannot come back;
 * - revoke: the store refuses to drop PREVIOUS after the grace period.
 */
export type RotationFault = 'create' | 'apply' | 'garbled' | 'verify' | 'promote' | 'restore' | 'revoke';

export interface FaultyProvidersOptions {
  store: FileSecretStore;
  /** The admin URL of the real PostgreSQL the roles live on. */
  adminUrl: string;
  /** Read at every call, so a test can clear a fault while a run waits. */
  fault: () => RotationFault | undefined;
  /** Collects every password the rotation generates, for leak checks. */
  generated?: Set<string>;
}

export function faultyProviders({ store, adminUrl, fault, generated }: FaultyProvidersOptions): CredentialProviders {
  let applies = 0;
  const pendingPassword = async (path: string) => {
    const version = await store.getVersion(path, 'PENDING');
    return version && (JSON.parse(version.value) as Credential).password;
  };
  const wrapped: SecretStore = Object.assign(Object.create(store) as SecretStore, {
    putPending: async (path: string, value: string, options: { idempotencyToken: string }) => {
      generated?.add((JSON.parse(value) as Credential).password);
      const stored = await store.putPending(path, value, options);
      if (fault() === 'create') throw ApplicationFailure.nonRetryable('injected: the store lost its answer');
      return stored;
    },
    getVersion: async (path: string, label: 'PENDING' | 'CURRENT' | 'PREVIOUS') => {
      const version = await store.getVersion(path, label);
      if (fault() === 'garbled' && label === 'PENDING' && version) return { ...version, value: `x${(JSON.parse(version.value) as Credential).password}` };
      return version;
    },
    promote: async (path: string, versionId: string) => {
      // Non-retryable, as a store's refusal would be: the saga's compensation is what is under test.
      if (fault() === 'promote') throw ApplicationFailure.nonRetryable('injected: the store refused promote');
      return store.promote(path, versionId);
    },
    revokePrevious: async (path: string) => {
      if (fault() === 'revoke') throw ApplicationFailure.nonRetryable('injected: the store refused to drop PREVIOUS');
      return store.revokePrevious(path);
    },
  });
  return {
    store: () => wrapped,
    target: (c: CredentialConfig) => {
      const real = new PostgresRoleTarget(c.target.strategy === 'single-user' ? { strategy: 'single-user', role: c.target.role } : { strategy: 'alternating-users', baseRole: c.target.role }, adminUrl);
      return Object.assign(Object.create(real) as PostgresRoleTarget, {
        apply: async (credential: Credential) => {
          if (fault() === 'apply' && applies++ === 0) throw new RotationTargetError('injected: the target refused the new password');
          if (fault() === 'restore' && credential.password !== (await pendingPassword(c.secretStore.path))) {
            throw new RotationTargetError('injected: the admin role may no longer ALTER ROLE');
          }
          return real.apply(credential);
        },
        verify: async (credential: Credential) => {
          if (fault() === 'verify' || fault() === 'restore') throw new RotationTargetError('injected: the probe query failed');
          return real.verify(credential);
        },
      });
    },
  };
}

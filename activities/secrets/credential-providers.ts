import type { CredentialConfig } from '../../domain/credential';
import { FileSecretStore } from '../../secrets/file-secret-store';
import { PostgresRoleTarget } from '../../secrets/postgres-role-target';
import type { RotationTarget } from '../../secrets/rotation-target';
import type { SecretStore } from '../../secrets/secret-store';
import { VaultKv2Store } from '../../secrets/vault-kv2-store';

/** How activities reach a credential's store and target; tests wrap these to inject failures. */
export interface CredentialProviders {
  store(credential: CredentialConfig): SecretStore;
  target(credential: CredentialConfig): RotationTarget;
}

/** The real providers, configured from the environment (keys, tokens and admin URLs live there only). */
export const environmentProviders: CredentialProviders = {
  store: (credential) =>
    credential.secretStore.provider === 'file'
      ? FileSecretStore.fromEnvironment(credential.secretStore.file)
      : VaultKv2Store.fromEnvironment(credential.secretStore.mount),
  target: (credential) => {
    const { strategy, role, adminUrlEnv } = credential.target;
    const shape = strategy === 'single-user' ? { strategy, role } : { strategy, baseRole: role };
    return PostgresRoleTarget.fromEnvironment(shape, adminUrlEnv);
  },
};

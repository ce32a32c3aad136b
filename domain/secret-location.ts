import type { CredentialConfig } from './credential';

/**
 * Where a credential's versions are kept, as a person finds them (never a value). Apart from
 * credential.ts, whose schemas only the config parses: the credential rotation workflow names
 * the place in its notices (rotation.ts), and workflow code builds nothing it does not use.
 */
export function secretLocation(credential: Pick<CredentialConfig, 'secretStore'>): string {
  const store = credential.secretStore;
  return store.provider === 'file' ? `file store ${store.file}, path ${store.path}` : `Vault KV v2 mount ${store.mount}, path ${store.path}`;
}

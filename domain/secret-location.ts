/**
 * Where a credential's versions are kept, as a person finds them (never a value). Apart from
 * credential.ts, whose schemas only the config parses: the credential rotation workflow names
 * the place in its notices (rotation.ts), and workflow code builds nothing it does not use.
 */
/** A credential's secret store as the config writes it (credential.ts `secretStore`); only what naming it needs. */
export type SecretStoreRef = { provider: 'file'; file: string; path: string } | { provider: 'vault-kv2'; mount: string; path: string };

export function secretLocation(credential: { secretStore: SecretStoreRef }): string {
  const store = credential.secretStore;
  return store.provider === 'file' ? `file store ${store.file}, path ${store.path}` : `Vault KV v2 mount ${store.mount}, path ${store.path}`;
}

import { z } from 'zod';
import {
  SecretStoreError,
  parseIdempotencyToken,
  parseSecretPath,
  secretPathSchema,
  type SecretStore,
  type SecretVersion,
  type VersionInfo,
  type VersionLabel,
} from './secret-store';
import { VaultHttpError, notFound, vaultConnectionFromEnvironment, vaultRequest, type VaultConnection } from './vault-client';

/**
 * HashiCorp Vault (or OpenBao) KV version 2 as a secret store. Versions are Vault's own
 * versions; the staging labels live in the secret's custom_metadata as version numbers:
 *
 *   secops-pending / secops-current / secops-previous
 *
 * Each version's data is `{ value, secops-idempotency-token }`, so a putPending retried
 * after a crash between "write data" and "label it" finds its own version instead of
 * writing a second one. Data writes use check-and-set, so two writers never both create
 * a version on top of the same one. The metadata endpoint has no check-and-set in Vault,
 * so label changes assume one writer per path at a time: the credential rotation workflow
 * (one per credential id) gives exactly that.
 *
 * Discarding soft-deletes the version (recoverable by an operator with Vault's undelete);
 * revoking PREVIOUS destroys it (the value is gone for good).
 */
const LABEL_KEYS: Record<VersionLabel, string> = {
  PENDING: 'secops-pending',
  CURRENT: 'secops-current',
  PREVIOUS: 'secops-previous',
};
const VALUE_FIELD = 'value';
const TOKEN_FIELD = 'secops-idempotency-token';
const CAS_MISMATCH = /check-and-set/i;
const MAX_WRITE_ATTEMPTS = 5;

const metadataSchema = z.object({
  data: z.object({
    current_version: z.number().int().min(0),
    custom_metadata: z.record(z.string(), z.string()).nullish(),
    versions: z.record(z.string(), z.object({ created_time: z.string(), deletion_time: z.string(), destroyed: z.boolean() })),
  }),
});
const versionDataSchema = z.object({ data: z.object({ data: z.record(z.string(), z.unknown()).nullable() }) });
const writeResultSchema = z.object({ data: z.object({ version: z.number().int().min(1) }) });

type Labels = Partial<Record<VersionLabel, number>>;

interface Metadata {
  currentVersion: number;
  labels: Labels;
  custom: Record<string, string>;
  /** Versions whose data can still be read (not deleted, not destroyed). */
  live: Map<number, { createdAt: string }>;
}

export interface VaultKv2StoreOptions {
  connection: VaultConnection;
  /** Where the KV v2 engine is mounted, e.g. `secret`. */
  mount: string;
}

export class VaultKv2Store implements SecretStore {
  private readonly mount: string;

  constructor(private readonly options: VaultKv2StoreOptions) {
    const mount = secretPathSchema.safeParse(options.mount);
    if (!mount.success) throw new SecretStoreError(`Vault mount ${JSON.stringify(options.mount)} ${mount.error.issues[0]?.message ?? 'is invalid'}`);
    this.mount = mount.data;
  }

  static fromEnvironment(mount: string, env: Record<string, string | undefined> = process.env): VaultKv2Store {
    return new VaultKv2Store({ connection: vaultConnectionFromEnvironment(env), mount });
  }

  async putPending(path: string, value: string, options: { idempotencyToken: string }): Promise<{ versionId: string }> {
    const secretPath = parseSecretPath(path);
    const token = parseIdempotencyToken(options.idempotencyToken);
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const metadata = await this.metadata(secretPath);
      const own = metadata ? await this.versionWithToken(secretPath, metadata, token) : undefined;
      if (metadata && own !== undefined) {
        if (!isLabeled(metadata, own)) await this.labelPending(secretPath, metadata, own);
        return { versionId: String(own) };
      }
      let version: number;
      try {
        version = await this.write(secretPath, { [VALUE_FIELD]: value, [TOKEN_FIELD]: token }, metadata?.currentVersion ?? 0);
      } catch (error) {
        // Someone wrote in between: look again, it may even be our own earlier attempt.
        if (error instanceof VaultHttpError && error.errors.some((e) => CAS_MISMATCH.test(e))) continue;
        throw error;
      }
      await this.labelPending(secretPath, metadata ?? (await this.requireMetadata(secretPath)), version);
      return { versionId: String(version) };
    }
    throw new SecretStoreError(`secret ${secretPath} kept changing under concurrent writers; gave up after ${MAX_WRITE_ATTEMPTS} attempts`);
  }

  async getVersion(path: string, label: VersionLabel): Promise<SecretVersion | undefined> {
    const secretPath = parseSecretPath(path);
    const version = (await this.metadata(secretPath))?.labels[label];
    if (version === undefined) return undefined;
    const data = await this.readVersion(secretPath, version);
    if (!data) return undefined;
    const value = data[VALUE_FIELD];
    if (typeof value !== 'string') throw new SecretStoreError(`version ${version} of ${this.describePath(secretPath)} has no string field "${VALUE_FIELD}"; was it written outside secops-flow?`);
    return { versionId: String(version), value };
  }

  async promote(path: string, pendingVersionId: string): Promise<void> {
    const secretPath = parseSecretPath(path);
    const version = parseVersionId(pendingVersionId);
    const metadata = await this.requireMetadata(secretPath);
    const { labels } = metadata;
    if (labels.CURRENT === version) return;
    if (labels.PENDING !== version) throw this.notPending(secretPath, version, labels);
    // Destroy first: if we crash before relabeling, the retry destroys it again (a no-op) and relabels.
    if (labels.PREVIOUS !== undefined) await this.destroy(secretPath, labels.PREVIOUS);
    await this.setLabels(secretPath, metadata, { PENDING: undefined, CURRENT: version, PREVIOUS: labels.CURRENT });
  }

  async discardPending(path: string, versionId: string): Promise<void> {
    const secretPath = parseSecretPath(path);
    const version = parseVersionId(versionId);
    const metadata = await this.metadata(secretPath);
    if (!metadata) return;
    if (metadata.labels.CURRENT === version || metadata.labels.PREVIOUS === version) throw this.notPending(secretPath, version, metadata.labels);
    if (metadata.live.has(version)) await vaultRequest(this.options.connection, 'POST', this.api('delete', secretPath), { versions: [version] });
    if (metadata.labels.PENDING === version) await this.setLabels(secretPath, metadata, { PENDING: undefined });
  }

  async revokePrevious(path: string): Promise<void> {
    const secretPath = parseSecretPath(path);
    const metadata = await this.metadata(secretPath);
    const previous = metadata?.labels.PREVIOUS;
    if (!metadata || previous === undefined) return;
    await this.destroy(secretPath, previous);
    await this.setLabels(secretPath, metadata, { PREVIOUS: undefined });
  }

  async describe(path: string): Promise<{ versions: VersionInfo[] }> {
    const secretPath = parseSecretPath(path);
    const metadata = await this.metadata(secretPath);
    if (!metadata) return { versions: [] };
    const versions = [...metadata.live.entries()]
      .sort(([a], [b]) => a - b)
      .map(([version, { createdAt }]) => ({ versionId: String(version), labels: labelsOf(metadata.labels, version), createdAt }));
    return { versions };
  }

  /** Our version for this token among the labeled ones and the newest (a crash may have left it unlabeled). */
  private async versionWithToken(path: string, metadata: Metadata, token: string): Promise<number | undefined> {
    const candidates = new Set([metadata.labels.PENDING, metadata.labels.CURRENT, metadata.labels.PREVIOUS, metadata.currentVersion]);
    for (const version of candidates) {
      if (version === undefined || !metadata.live.has(version)) continue;
      if ((await this.readVersion(path, version))?.[TOKEN_FIELD] === token) return version;
    }
    return undefined;
  }

  /** A new PENDING replaces an abandoned one, which is soft-deleted like any discarded version. */
  private async labelPending(path: string, metadata: Metadata, version: number): Promise<void> {
    const abandoned = metadata.labels.PENDING;
    if (abandoned !== undefined && abandoned !== version && metadata.live.has(abandoned)) {
      await vaultRequest(this.options.connection, 'POST', this.api('delete', path), { versions: [abandoned] });
    }
    await this.setLabels(path, metadata, { PENDING: version });
  }

  private async setLabels(path: string, metadata: Metadata, changes: Labels): Promise<void> {
    // custom_metadata is replaced as a whole: carry over keys that are not ours.
    const custom = { ...metadata.custom };
    for (const [label, version] of Object.entries(changes) as [VersionLabel, number | undefined][]) {
      if (version === undefined) delete custom[LABEL_KEYS[label]];
      else custom[LABEL_KEYS[label]] = String(version);
    }
    await vaultRequest(this.options.connection, 'POST', this.api('metadata', path), { custom_metadata: custom });
  }

  private async write(path: string, data: Record<string, string>, cas: number): Promise<number> {
    const result = await vaultRequest(this.options.connection, 'POST', this.api('data', path), { options: { cas }, data });
    return this.parse(writeResultSchema, result, `write to ${this.describePath(path)}`).data.version;
  }

  private async destroy(path: string, version: number): Promise<void> {
    await vaultRequest(this.options.connection, 'PUT', this.api('destroy', path), { versions: [version] });
  }

  private async readVersion(path: string, version: number): Promise<Record<string, unknown> | undefined> {
    const result = await vaultRequest(this.options.connection, 'GET', `${this.api('data', path)}?version=${version}`);
    if (result === notFound) return undefined;
    return this.parse(versionDataSchema, result, `version ${version} of ${this.describePath(path)}`).data.data ?? undefined;
  }

  private async metadata(path: string): Promise<Metadata | undefined> {
    const result = await vaultRequest(this.options.connection, 'GET', this.api('metadata', path));
    if (result === notFound) return undefined;
    const { data } = this.parse(metadataSchema, result, `metadata of ${this.describePath(path)}`);
    const custom = data.custom_metadata ?? {};
    const labels: Labels = {};
    for (const [label, key] of Object.entries(LABEL_KEYS) as [VersionLabel, string][]) {
      const raw = custom[key];
      if (raw === undefined) continue;
      if (!/^[1-9][0-9]*$/.test(raw)) throw new SecretStoreError(`custom_metadata ${key} of ${this.describePath(path)} is ${JSON.stringify(raw)}, not a version number`);
      labels[label] = Number(raw);
    }
    const now = Date.now();
    const live = new Map<number, { createdAt: string }>();
    for (const [version, info] of Object.entries(data.versions)) {
      // A deletion_time in the future is a scheduled deletion (delete_version_after), not yet done.
      const deleted = info.deletion_time !== '' && Date.parse(info.deletion_time) <= now;
      if (!info.destroyed && !deleted) live.set(Number(version), { createdAt: info.created_time });
    }
    return { currentVersion: data.current_version, labels, custom, live };
  }

  private async requireMetadata(path: string): Promise<Metadata> {
    const metadata = await this.metadata(path);
    if (!metadata) throw new SecretStoreError(`${this.describePath(path)} does not exist`);
    return metadata;
  }

  private parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const result = schema.safeParse(body);
    if (!result.success) throw new SecretStoreError(`Vault's answer for ${what} has an unexpected shape (at ${result.error.issues[0]?.path.join('.') || 'top level'})`);
    return result.data;
  }

  private api(kind: 'data' | 'metadata' | 'delete' | 'destroy', path: string): string {
    return [this.mount, kind, path].flatMap((part) => part.split('/')).map(encodeURIComponent).join('/');
  }

  private describePath(path: string): string {
    return `secret ${this.mount}/${path}`;
  }

  private notPending(path: string, version: number, labels: Labels): SecretStoreError {
    const has = labelsOf(labels, version);
    return new SecretStoreError(`version ${version} of ${this.describePath(path)} is ${has.join(', ') || 'unlabeled'}, not PENDING`);
  }
}

function labelsOf(labels: Labels, version: number): VersionLabel[] {
  return (Object.keys(LABEL_KEYS) as VersionLabel[]).filter((label) => labels[label] === version);
}

function isLabeled(metadata: Metadata, version: number): boolean {
  return labelsOf(metadata.labels, version).length > 0;
}

function parseVersionId(versionId: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(versionId)) throw new SecretStoreError(`Vault version id ${JSON.stringify(versionId)} is not a version number`);
  return Number(versionId);
}

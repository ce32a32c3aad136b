import { randomBytes } from 'node:crypto';
import { mkdir, open as openFile, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { withFileLock, type FileLockOptions } from './file-lock';
import { open, seal, storeKeyFromEnvironment, type StoreKey } from './secret-cipher';
import {
  SecretStoreError,
  VERSION_LABELS,
  parseIdempotencyToken,
  parseSecretPath,
  type SecretStore,
  type SecretVersion,
  type VersionInfo,
  type VersionLabel,
} from './secret-store';

/**
 * The embedded secret store: one JSON file, every value sealed with AES-256-GCM under
 * SECOPS_SECRET_STORE_KEY. Readers need no lock because writers replace the file whole
 * (write a temporary file, fsync, rename); writers serialize on `<file>.lock`.
 */
const storedVersionSchema = z.strictObject({
  versionId: z.string().regex(/^[1-9][0-9]*$/),
  labels: z.array(z.enum(VERSION_LABELS)),
  createdAt: z.string(),
  idempotencyToken: z.string(),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
});

// nextVersion survives removals so a version id is never reused for another value.
const storedSecretSchema = z.strictObject({ nextVersion: z.number().int().min(1), versions: z.array(storedVersionSchema) });

const storeFileSchema = z.strictObject({
  format: z.literal(1),
  keyId: z.string(),
  // Checked entry by entry below: a plain object keyed by path would answer `toString` with a function.
  secrets: z.record(z.string(), z.unknown()),
});

/** The file as held in memory: secrets in a Map, so no path can reach Object.prototype. */
interface StoreFile {
  format: 1;
  keyId: string;
  secrets: Map<string, StoredSecret>;
}
type StoredSecret = z.infer<typeof storedSecretSchema>;
type StoredVersion = z.infer<typeof storedVersionSchema>;

export interface FileSecretStoreOptions {
  file: string;
  key: StoreKey;
  lock?: FileLockOptions;
}

export class FileSecretStore implements SecretStore {
  constructor(private readonly options: FileSecretStoreOptions) {}

  static fromEnvironment(file: string, env: Record<string, string | undefined> = process.env): FileSecretStore {
    return new FileSecretStore({ file, key: storeKeyFromEnvironment(env) });
  }

  async putPending(path: string, value: string, options: { idempotencyToken: string }): Promise<{ versionId: string }> {
    const secretPath = parseSecretPath(path);
    const token = parseIdempotencyToken(options.idempotencyToken);
    const versionId = await this.mutate((file) => {
      const secret = file.secrets.get(secretPath) ?? { nextVersion: 1, versions: [] };
      file.secrets.set(secretPath, secret);
      const earlier = secret.versions.find((v) => v.idempotencyToken === token);
      if (earlier) return earlier.versionId;
      secret.versions = secret.versions.filter((v) => !v.labels.includes('PENDING'));
      const id = String(secret.nextVersion++);
      secret.versions.push({
        versionId: id,
        labels: ['PENDING'],
        createdAt: new Date().toISOString(),
        idempotencyToken: token,
        ...seal(this.options.key, value, sealContext(secretPath, id)),
      });
      return id;
    });
    return { versionId };
  }

  async getVersion(path: string, label: VersionLabel): Promise<SecretVersion | undefined> {
    const secretPath = parseSecretPath(path);
    const version = (await this.read()).secrets.get(secretPath)?.versions.find((v) => v.labels.includes(label));
    if (!version) return undefined;
    return { versionId: version.versionId, value: open(this.options.key, version, sealContext(secretPath, version.versionId)) };
  }

  async promote(path: string, pendingVersionId: string): Promise<void> {
    const secretPath = parseSecretPath(path);
    await this.mutate((file) => {
      const secret = file.secrets.get(secretPath);
      const pending = secret?.versions.find((v) => v.versionId === pendingVersionId);
      if (!secret || !pending) throw new SecretStoreError(`secret ${secretPath} has no version ${pendingVersionId}`);
      if (pending.labels.includes('CURRENT')) return;
      if (!pending.labels.includes('PENDING')) throw notPending(secretPath, pending);
      secret.versions = secret.versions.filter((v) => !v.labels.includes('PREVIOUS'));
      for (const version of secret.versions) {
        if (version.labels.includes('CURRENT')) version.labels = ['PREVIOUS'];
      }
      pending.labels = ['CURRENT'];
    });
  }

  async discardPending(path: string, versionId: string): Promise<void> {
    const secretPath = parseSecretPath(path);
    await this.mutate((file) => {
      const secret = file.secrets.get(secretPath);
      const version = secret?.versions.find((v) => v.versionId === versionId);
      if (!secret || !version) return;
      if (!version.labels.includes('PENDING')) throw notPending(secretPath, version);
      secret.versions = secret.versions.filter((v) => v !== version);
    });
  }

  async revokePrevious(path: string): Promise<void> {
    const secretPath = parseSecretPath(path);
    await this.mutate((file) => {
      const secret = file.secrets.get(secretPath);
      if (secret) secret.versions = secret.versions.filter((v) => !v.labels.includes('PREVIOUS'));
    });
  }

  async describe(path: string): Promise<{ versions: VersionInfo[] }> {
    const secretPath = parseSecretPath(path);
    const versions = (await this.read()).secrets.get(secretPath)?.versions ?? [];
    return { versions: versions.map(({ versionId, labels, createdAt }) => ({ versionId, labels: [...labels], createdAt })) };
  }

  private async read(): Promise<StoreFile> {
    const { file, key } = this.options;
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) return { format: 1, keyId: key.keyId, secrets: new Map() };
    // Like ssh with a private key: refuse rather than keep using a file others can read.
    if ((info.mode & 0o077) !== 0) {
      throw new SecretStoreError(`${file} is accessible to other users (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      throw new SecretStoreError(`${file} is not valid JSON; is it a secops-flow secret store?`);
    }
    const result = storeFileSchema.safeParse(raw);
    const unexpected = (where: string) => new SecretStoreError(`${file} is not a secops-flow secret store file (unexpected content at ${where})`);
    if (!result.success) throw unexpected(result.error.issues[0]?.path.join('.') || 'top level');
    const parsed = result.data;
    if (parsed.keyId !== key.keyId) {
      throw new SecretStoreError(`SECOPS_SECRET_STORE_KEY is not the key ${file} was written with (file key id ${parsed.keyId}, this key's id ${key.keyId})`);
    }
    const secrets = new Map<string, StoredSecret>();
    // JSON.parse makes every key an own property (`__proto__` included): entries see them all.
    for (const [path, value] of Object.entries(recordOf(raw).secrets as Record<string, unknown>)) {
      const secret = storedSecretSchema.safeParse(value);
      if (!secret.success) throw unexpected(`secrets.${JSON.stringify(path.slice(0, 100))}`);
      secrets.set(path, secret.data);
    }
    return { format: 1, keyId: parsed.keyId, secrets };
  }

  private async mutate<T>(change: (file: StoreFile) => T): Promise<T> {
    const { file } = this.options;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    return withFileLock(`${file}.lock`, async () => {
      const contents = await this.read();
      const before = serialize(contents);
      const result = change(contents);
      const after = serialize(contents);
      if (after !== before) await writeAtomically(file, after);
      return result;
    }, this.options.lock);
  }
}

function serialize(contents: StoreFile): string {
  // Object.fromEntries defines own properties, so even an odd key is written, never a prototype.
  return `${JSON.stringify({ ...contents, secrets: Object.fromEntries(contents.secrets) }, null, 2)}\n`;
}

function recordOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function sealContext(path: string, versionId: string): string {
  return `secret ${path} version ${versionId}`;
}

function notPending(path: string, version: StoredVersion): SecretStoreError {
  return new SecretStoreError(`version ${version.versionId} of secret ${path} is ${version.labels.join(', ') || 'unlabeled'}, not PENDING`);
}

/** A crash leaves either the old file or the new one, never half of either. */
async function writeAtomically(file: string, contents: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await openFile(temporary, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(contents);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  // The rename itself is durable only once the directory entry is on disk.
  const directory = await openFile(dirname(file), 'r');
  await directory.sync().catch(() => undefined);
  await directory.close();
}

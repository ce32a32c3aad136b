import { z } from 'zod';
import { secretPathSchema } from '../domain/credential';

/**
 * Where rotated credentials live, modeled on AWS Secrets Manager's staging labels so that
 * every rotation step (create pending, set, test, finish) is a retry-safe call:
 *
 *   putPending ─► PENDING ──promote──► CURRENT ──promote──► PREVIOUS ──revokePrevious──► gone
 *                    └──discardPending──► gone
 *
 * A store keeps at most one version per label, and a version that loses its last label is
 * removed (its value is no longer needed by anyone, so keeping it only widens exposure).
 *
 * Values are opaque strings (often JSON). They never appear in a log line, an error
 * message or a return value other than getVersion's.
 */
export interface SecretStore {
  /**
   * Stores `value` as the PENDING version. Idempotent on the token: a retry with the same
   * token returns the version the first call made and ignores `value`, so a caller that
   * regenerated its secret must read PENDING back rather than use what it passed. A new
   * token while another version is PENDING replaces that version (an abandoned attempt).
   */
  putPending(path: string, value: string, options: { idempotencyToken: string }): Promise<{ versionId: string }>;
  getVersion(path: string, label: VersionLabel): Promise<SecretVersion | undefined>;
  /** PENDING → CURRENT, CURRENT → PREVIOUS, an older PREVIOUS is removed. Done again: no-op. */
  promote(path: string, pendingVersionId: string): Promise<void>;
  /** Removes a version that never became CURRENT. Absent already: no-op. */
  discardPending(path: string, versionId: string): Promise<void>;
  /** Removes the PREVIOUS version. None: no-op. */
  revokePrevious(path: string): Promise<void>;
  describe(path: string): Promise<{ versions: VersionInfo[] }>;
}

export const VERSION_LABELS = ['PENDING', 'CURRENT', 'PREVIOUS'] as const;
export type VersionLabel = (typeof VERSION_LABELS)[number];

export interface SecretVersion {
  versionId: string;
  value: string;
}

export interface VersionInfo {
  versionId: string;
  labels: VersionLabel[];
  createdAt: string;
}

/** Paths are checked by the same schema as the config's (safe as JSON keys and URL segments, no `..`). */
export { secretPathSchema };

/** Printable ASCII without spaces: room for a workflow id plus a step name. */
export const idempotencyTokenSchema = z.string().regex(/^[\x21-\x7e]{8,200}$/, 'must be 8–200 printable ASCII characters without spaces');

/** A store refused an operation; the message names path and version, never a value. */
export class SecretStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretStoreError';
  }
}

export function parseSecretPath(path: string): string {
  const result = secretPathSchema.safeParse(path);
  if (!result.success) throw new SecretStoreError(`secret path ${JSON.stringify(path)} ${result.error.issues[0]?.message ?? 'is invalid'}`);
  return result.data;
}

export function parseIdempotencyToken(token: string): string {
  const result = idempotencyTokenSchema.safeParse(token);
  if (!result.success) throw new SecretStoreError(`idempotency token ${result.error.issues[0]?.message ?? 'is invalid'}`);
  return result.data;
}

/**
 * The system whose credential is rotated (a database role, an API key, …). Each method is
 * one retry-safe step of the rotation, called from activities only:
 *
 *   nextUsername → generate → store.putPending → apply → verify → store.promote
 *     → (grace period) → revoke(previous) → store.revokePrevious
 *
 * Passwords never appear in what these methods log or throw.
 */
export interface Credential {
  username: string;
  password: string;
}

export interface RotationTarget {
  /** Makes `credential` valid on the target. Doing it twice is harmless. */
  apply(credential: Credential): Promise<void>;
  /** A real login with `credential` and a probe; throws a clear error (without the password) when it fails. */
  verify(credential: Credential): Promise<void>;
  /** Makes a superseded credential unusable. Doing it twice is harmless. */
  revoke(credential: Credential): Promise<void>;
  /** Which user the next credential is for, given the one now CURRENT (none on the first rotation). */
  nextUsername(current?: string): string;
}

/**
 * The target refused a step and a retry would meet the same refusal (unknown role, wrong
 * admin password, missing privilege, a new password that does not log in). Other errors
 * (network, timeouts) may be transient. Messages name the user, never the password.
 */
export class RotationTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationTargetError';
  }
}

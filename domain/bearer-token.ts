import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 6750's b64token: what a client can send after `Bearer ` unquoted. */
export const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Whether an `Authorization` header carries `Bearer <expected>` (the scheme in any case).
 * Both tokens are hashed to SHA-256 before the constant-time comparison, so the time taken
 * tells nothing about the expected token's content or its length; a missing or malformed
 * header goes through the same comparison.
 */
export function bearerTokenMatches(header: string | undefined, expected: string): boolean {
  const given = /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(sha256(given), sha256(expected)) && given.length > 0;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

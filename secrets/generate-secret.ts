import { randomBytes } from 'node:crypto';

/**
 * URL-safe, and free of quotes, backslashes, `@`, `:` and `/`, so a generated password
 * survives connection URLs, shells and SQL literals without escaping mistakes.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export const MIN_SECRET_LENGTH = 32;

/**
 * A random password: `length` characters of a 64-symbol alphabet (6 bits each, 192 bits
 * at the minimum length). Randomness is an activity's business: never call this from
 * workflow code, which must stay deterministic.
 */
export function generateSecret(length = 40): string {
  if (!Number.isInteger(length) || length < MIN_SECRET_LENGTH || length > 1024) {
    throw new RangeError(`secret length must be an integer from ${MIN_SECRET_LENGTH} to 1024`);
  }
  // 64 divides 256, so taking each byte modulo 64 keeps every symbol equally likely.
  const bytes = randomBytes(length);
  let secret = '';
  for (const byte of bytes) secret += ALPHABET[byte % 64];
  return secret;
}

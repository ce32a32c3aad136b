import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SecretStoreError } from './secret-store';

/**
 * AES-256-GCM for the values of the file secret store. The key comes from the environment
 * only; the file records a key id (an HMAC of a constant under the key, which reveals
 * nothing about it) so a wrong key is reported as such rather than as corruption.
 */
export const SECRET_STORE_KEY_ENV = 'SECOPS_SECRET_STORE_KEY';

const base64Key = z
  .string({ error: `${SECRET_STORE_KEY_ENV} is not set; generate one with: openssl rand -base64 32` })
  .regex(/^[A-Za-z0-9+/]{43}=$/, `${SECRET_STORE_KEY_ENV} must be 32 bytes in base64 (openssl rand -base64 32)`);

export interface StoreKey {
  key: Buffer;
  keyId: string;
}

export interface SealedValue {
  iv: string;
  tag: string;
  ciphertext: string;
}

export function storeKeyFromEnvironment(env: Record<string, string | undefined>): StoreKey {
  const result = base64Key.safeParse(env[SECRET_STORE_KEY_ENV] || undefined);
  if (!result.success) throw new SecretStoreError(result.error.issues[0]?.message ?? `${SECRET_STORE_KEY_ENV} is invalid`);
  const key = Buffer.from(result.data, 'base64');
  return { key, keyId: createHmac('sha256', key).update('secops-flow secret store key id').digest('hex').slice(0, 16) };
}

/** `context` (path and version) is authenticated too: a value moved to another slot fails to open. */
export function seal(key: StoreKey, value: string, context: string): SealedValue {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') };
}

export function open(key: StoreKey, sealed: SealedValue, context: string): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretStoreError(`cannot decrypt ${context}: the value was altered or moved`);
  }
}

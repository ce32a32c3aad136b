import { createSecretKey, type KeyObject } from 'node:crypto';
import { ValidationError } from './validation-error';

export const CODEC_KEYS_VARIABLE = 'SECOPS_CODEC_KEYS';

/** AES-256: the only key size the codec uses. */
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A KeyObject, not a Buffer: logging or inspecting one never prints the key. */
export interface CodecKey {
  id: string;
  key: KeyObject;
}

/**
 * The first key encrypts, every key decrypts: rotating the codec key means putting the new
 * key first and keeping the old ones until the histories they encrypted have aged out.
 */
export interface KeyRing {
  current: CodecKey;
  byId: ReadonlyMap<string, CodecKey>;
}

/**
 * Parses `keyId:base64key[,keyId:base64key…]`. Problems name entries by position and key id
 * only: an error message must never carry key material, even a malformed key.
 */
export function parseKeyRing(value: string): KeyRing {
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) fail(['no key: expected keyId:base64key[,keyId:base64key…]']);
  const problems: string[] = [];
  const keys: CodecKey[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) return void problems.push(`${where}: expected keyId:base64key`);
    const id = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!KEY_ID.test(id)) return void problems.push(`${where}: key id must be 1-64 of A-Z a-z 0-9 . _ -`);
    if (seen.has(id)) return void problems.push(`${where}: duplicate key id "${id}"`);
    seen.add(id);
    if (!BASE64.test(encoded)) return void problems.push(`${where} (key id "${id}"): key is not valid base64`);
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.length !== KEY_BYTES) {
      return void problems.push(`${where} (key id "${id}"): key is ${bytes.length} bytes, AES-256 needs ${KEY_BYTES} (openssl rand -base64 32)`);
    }
    keys.push({ id, key: createSecretKey(bytes) });
  });
  if (problems.length > 0) fail(problems);
  return { current: keys[0]!, byId: new Map(keys.map((key) => [key.id, key])) };
}

function fail(problems: string[]): never {
  throw new ValidationError(CODEC_KEYS_VARIABLE, problems.map((message) => ({ path: '', message })));
}

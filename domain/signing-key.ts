import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64, toBase64 } from './base64';

/**
 * Ballot-signing public keys, written the OpenSSH way (`ssh-ed25519 AAAA… comment`), so a
 * person's existing SSH ed25519 key works and `secops keys init` prints the same form. A
 * key's id is its OpenSSH fingerprint (`SHA256:…`, what `ssh-keygen -lf` shows), so people
 * can compare it with tools they already have.
 */

const KEY_TYPE = 'ssh-ed25519';
const PUBLIC_KEY_LINE = /^ssh-ed25519 ([A-Za-z0-9+/]+={0,2})(?: .*)?$/;

export interface PublicSigningKey {
  keyId: string;
  /** The 32 raw bytes of the Ed25519 public key. */
  key: Uint8Array;
}

/** The key, or a problem saying what is wrong with the line. */
export function parsePublicKey(line: string): PublicSigningKey | string {
  const match = PUBLIC_KEY_LINE.exec(line.trim());
  if (!match) return 'must be an OpenSSH ed25519 public key line ("ssh-ed25519 AAAA…"), as `secops keys init` prints it';
  const blob = fromBase64(match[1]!);
  const key = blob && publicKeyOfBlob(blob);
  if (!key) return 'the ssh-ed25519 key data is not a well-formed Ed25519 public key';
  return { keyId: keyIdOf(key), key };
}

/** The OpenSSH wire form: string "ssh-ed25519", string key (each with a 4-byte length). */
export function publicKeyBlob(key: Uint8Array): Uint8Array {
  const type = new TextEncoder().encode(KEY_TYPE);
  const blob = new Uint8Array(4 + type.length + 4 + key.length);
  const view = new DataView(blob.buffer);
  view.setUint32(0, type.length);
  blob.set(type, 4);
  view.setUint32(4 + type.length, key.length);
  blob.set(key, 8 + type.length);
  return blob;
}

export function publicKeyLine(key: Uint8Array, comment?: string): string {
  return `${KEY_TYPE} ${toBase64(publicKeyBlob(key))}${comment ? ` ${comment}` : ''}`;
}

export function keyIdOf(key: Uint8Array): string {
  return `SHA256:${toBase64(sha256(publicKeyBlob(key)), { pad: false })}`;
}

function publicKeyOfBlob(blob: Uint8Array): Uint8Array | undefined {
  const expected = publicKeyBlob(new Uint8Array(32));
  if (blob.length !== expected.length) return undefined;
  const key = blob.slice(blob.length - 32);
  const rebuilt = publicKeyBlob(key);
  return rebuilt.every((byte, i) => byte === blob[i]) ? key : undefined;
}

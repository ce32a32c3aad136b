import { ed25519 } from '@noble/curves/ed25519.js';

/**
 * Ed25519 verification, strict RFC 8032 rules (zip215 off: the same rules as Node's signer).
 * A module of its own so workers load it once and share it across workflow runs
 * (worker/workflow-bundle.ts preloads it): its base-point table is built on the first
 * verification and is the same for everyone, where a per-run copy cost each vote tens of ms.
 */
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

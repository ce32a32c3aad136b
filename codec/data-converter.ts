import type { DataConverter } from '@temporalio/common';
import type { Environment } from '../domain/environment';
import { EncryptionCodec } from './payload-codec';

/**
 * The data converter every Temporal client and worker of a deployment must share: with
 * SECOPS_CODEC_KEYS set, payloads are encrypted; without it, the SDK default (plaintext).
 * Codecs run outside the workflow sandbox, so the prebuilt workflow bundle is unaffected.
 */
export function dataConverterFromEnv(env: Pick<Environment, 'SECOPS_CODEC_KEYS'>): DataConverter | undefined {
  return env.SECOPS_CODEC_KEYS ? { payloadCodecs: [new EncryptionCodec(env.SECOPS_CODEC_KEYS)] } : undefined;
}

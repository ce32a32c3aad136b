import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import type { Environment } from '../domain/environment';
import { EncryptionCodec } from './payload-codec';

/**
 * failure-converter.ts: compiled, it is the .js beside this file; run from source (tsx,
 * vitest), the .ts. Temporal requires it by path, so the path must name a file that exists.
 */
export const FAILURE_CONVERTER_PATH = ['.js', '.ts'].map((extension) => path.join(__dirname, `failure-converter${extension}`)).find((file) => existsSync(file)) ?? path.join(__dirname, 'failure-converter');

/**
 * The data converter every Temporal client and worker of a deployment must share: failure
 * messages and stack traces always travel as payloads (the workflow bundle encodes them too,
 * see worker/workflow-bundle.ts), and with SECOPS_CODEC_KEYS set every payload — those
 * included — is encrypted. Codecs run outside the workflow sandbox.
 */
export function dataConverterFromEnv(env: Pick<Environment, 'SECOPS_CODEC_KEYS'>): DataConverter {
  return {
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...(env.SECOPS_CODEC_KEYS && { payloadCodecs: [new EncryptionCodec(env.SECOPS_CODEC_KEYS)] }),
  };
}

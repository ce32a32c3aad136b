import { readFileSync } from 'node:fs';
import type { Environment } from '../domain/environment';

/**
 * Connection options shared by the worker (NativeConnection) and clients (Connection):
 * plain for a dev server, mTLS for a self-hosted cluster, API key for Temporal Cloud.
 */
export function temporalConnectionOptions(env: Environment) {
  const mtls = env.TEMPORAL_TLS_CERT && env.TEMPORAL_TLS_KEY
    ? { clientCertPair: { crt: readFileSync(env.TEMPORAL_TLS_CERT), key: readFileSync(env.TEMPORAL_TLS_KEY) } }
    : {};
  const useTls = Boolean(env.TEMPORAL_TLS_CERT || env.TEMPORAL_API_KEY || env.TEMPORAL_TLS_CA);
  return {
    address: env.TEMPORAL_ADDRESS,
    apiKey: env.TEMPORAL_API_KEY,
    tls: useTls
      ? {
          ...mtls,
          serverRootCACertificate: env.TEMPORAL_TLS_CA ? readFileSync(env.TEMPORAL_TLS_CA) : undefined,
          serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME,
        }
      : undefined,
  };
}

/** The gist of a failed connect, without the transport's debug dump. */
export function connectErrorReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const osMessage = /message: "([^"]+)"/.exec(message)?.[1];
  if (osMessage) return osMessage;
  if (/before the deadline/.test(message)) return 'no answer before the connect deadline';
  return message.split('\n')[0] ?? 'unknown error';
}

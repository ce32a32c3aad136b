import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../codec/data-converter';
import type { Environment } from '../domain/environment';
import { PlatformUnavailableError } from './platform-unavailable';
import { connectErrorReason, temporalConnectionOptions } from './temporal-connection';

export class TemporalUnreachableError extends PlatformUnavailableError {}

/** Connects a client, turning a failed connect into one line a person can act on. */
export async function connectClient(env: Environment): Promise<Client> {
  try {
    const connection = await Connection.connect({ ...temporalConnectionOptions(env), connectTimeout: '5 seconds' });
    return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: dataConverterFromEnv(env) });
  } catch (error) {
    throw new TemporalUnreachableError(`Temporal unreachable at ${env.TEMPORAL_ADDRESS}: ${connectErrorReason(error)}`);
  }
}

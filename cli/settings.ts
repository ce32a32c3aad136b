import { userInfo } from 'node:os';
import type { Client } from '@temporalio/client';
import { InvalidArgumentError } from 'commander';
import { loadSettings } from '../client/config-file';
import { cliKeySource, defaultKeyFile, frontEndSigner, type SigningKey } from '../client/signing-key-file';
import { connectClient } from '../client/temporal-client';
import type { Principal } from '../domain/approval-rules';
import type { Config, Target } from '../domain/config';
import { findTarget } from '../domain/dast';
import { parseEnvironment, type Environment } from '../domain/environment';
import { ValidationError } from '../domain/validation-error';

/** The environment and the config file it names, both validated: every command starts here. */
export function settings(): { env: Environment; config: Config } {
  const env = parseEnvironment(process.env);
  return { env, config: loadSettings(env) };
}

/** The environment alone, for commands that need no config (`secops keys`). */
export function settingsWithoutConfig(): Environment {
  return parseEnvironment(process.env);
}

/**
 * The name the CLI claims: SECOPS_USER, else the OS user. A claim only: votes count when
 * signed with that user's key (cliSigner), and the gate checks the key belongs to the name.
 */
export function cliPrincipal(env: Environment): Principal {
  return `cli:${env.SECOPS_USER ?? userInfo().username}`;
}

/** The person's ballot key: SECOPS_BALLOT_KEY, SECOPS_BALLOT_KEY_FILE, else the file `secops keys init` writes. */
export function cliSigner(env: Environment): SigningKey | undefined {
  return frontEndSigner(cliKeySource(env), { fallbackFile: defaultKeyFile(), who: cliPrincipal(env) });
}

/** Runs `work` with a Temporal client, closing its connection afterwards whatever happens. */
export async function withClient<T>(env: Environment, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient(env);
  try {
    return await work(client);
  } finally {
    await client.connection.close();
  }
}

/** The config's target `targetId`, or invalid input naming the known ones; `command` is the usage that was wrong. */
export function knownTarget(config: Config, targetId: string, command: string): Target {
  const target = findTarget(config, targetId);
  if (target) return target;
  throw new ValidationError(command, [{ path: 'target', message: `unknown target "${targetId}" (known: ${config.targets.map((t) => t.id).join(', ') || 'none'})` }]);
}

/** commander's parser for a --port-like option. */
export function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError('must be a port number');
  return port;
}

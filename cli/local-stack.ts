import type { Command } from 'commander';
import { DEFAULT_STATE_DIR } from '../client/store-url';
import type { Config } from '../domain/config';
import { startDevStack, type DevStack } from './dev-stack';
import { portOption, settings } from './settings';

export interface LocalStackOptions {
  port: number;
  uiPort: number;
  stateDir: string;
}

/** What a command does with the stack once it runs: done (stop it), or keep it running until Ctrl-C. */
export type StackWork = (stack: DevStack, config: Config) => Promise<'done' | 'keep running'>;

/** The options of every command that starts the local stack. */
export function localStackOptions(command: Command): Command {
  return command
    .option('--port <port>', 'Temporal frontend port', portOption, 7233)
    .option('--ui-port <port>', 'Temporal UI port', portOption, 8233)
    .option('--state-dir <dir>', 'where history and the embedded store persist (relative to the working directory)', DEFAULT_STATE_DIR);
}

/**
 * The stack starter of `secops dev` and `secops demo`: starts the local stack, hands it to
 * `work`, then keeps it until Ctrl-C unless `work` is done. Whatever happens, everything it
 * started is stopped, and nothing else.
 */
export async function runLocalStack(name: string, options: LocalStackOptions, work: StackWork): Promise<void> {
  const { config } = settings();
  const stack = await startDevStack({ ...options, config, log: (line) => console.log(line) });
  const stop = async () => {
    await stack.client.connection.close();
    await stack.stop();
  };
  console.log(`Temporal UI: ${stack.uiUrl}`);
  const next = await work(stack, config).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  if (next === 'done') return stop();
  console.log(`secops ${name}: ready. Ctrl-C stops everything it started.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log(`secops ${name}: stopping`);
  await stop();
  console.log(`secops ${name}: stopped`);
}

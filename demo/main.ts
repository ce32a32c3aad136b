/**
 * `node --import tsx demo/main.ts [--port N]`: serves the deliberately vulnerable demo app
 * on 127.0.0.1 until SIGINT/SIGTERM. Without --port the OS picks a free one.
 * Exit codes: 0 stopped cleanly, 2 invalid arguments.
 */
import { parseArgs } from 'node:util';
import { startVulnerableApp } from './vulnerable-app';

function parsePort(argv: string[]): number | undefined {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' } } });
  if (values.port === undefined) return undefined;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port ${values.port}: must be a port number`);
  return port;
}

async function main(): Promise<void> {
  let port: number | undefined;
  try {
    port = parsePort(process.argv.slice(2));
  } catch (error) {
    console.error(`usage: demo/main.ts [--port N]\n${(error as Error).message}`);
    process.exitCode = 2;
    return;
  }
  const app = await startVulnerableApp({ port });
  console.log(`vulnerable demo app: ${app.url}`);
  const stop = () => void app.stop().then(() => console.log('vulnerable demo app stopped'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();

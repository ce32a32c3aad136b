/**
 * `node --import tsx demo/main.ts [--port N]`: serves the deliberately vulnerable demo app
 * on 127.0.0.1 until SIGINT/SIGTERM, by default on 8088, where the committed config's
 * `demo-app` target points, so `secops scan demo-app` next to `secops dev` finds it.
 * Exit codes: 0 stopped cleanly, 2 invalid arguments.
 */
import { parseArgs } from 'node:util';
import { startVulnerableApp } from './vulnerable-app';

const DEMO_TARGET_PORT = 8088;

function parsePort(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' } } });
  if (values.port === undefined) return DEMO_TARGET_PORT;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port ${values.port}: must be a port number`);
  return port;
}

async function main(): Promise<void> {
  let port: number;
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

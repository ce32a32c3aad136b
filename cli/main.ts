import { Command, InvalidArgumentError } from 'commander';
import { loadConfigFile } from '../domain/config-file';
import { parseEnvironment } from '../domain/environment';
import { ValidationError } from '../domain/validation-error';
import { openDatabase, redactDatabaseUrl } from '../store/database';
import { migrate } from '../store/migrations';
import { startDevStack } from './dev-stack';
import { formatReport, runDoctor } from './doctor';
import { TemporalUnreachableError, connectClient } from './temporal-client';

/** Exit codes: 0 ok, 1 a check or operation failed, 2 invalid input (config, env, arguments). */
const program = new Command('secops').description('Workflow-as-code security automation on Temporal');

function settings() {
  const env = parseEnvironment(process.env);
  return { env, config: loadConfigFile(env.SECOPS_CONFIG) };
}

const portOption = (value: string) => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError('must be a port number');
  return port;
};

program
  .command('doctor')
  .description('check Temporal, workers, Docker, scanner images, store and Slack')
  .option('--json', 'print the report as JSON')
  .action(async (options: { json?: boolean }) => {
    const { env, config } = settings();
    const client = await connectClient(env);
    const report = await runDoctor(client, env, config);
    console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
    await client.connection.close();
    process.exitCode = report.status === 'failed' ? 1 : 0;
  });

program
  .command('config')
  .command('check')
  .description('validate secops.config.yaml and the environment')
  .action(() => {
    const { env, config } = settings();
    console.log(`${env.SECOPS_CONFIG}: ok (${config.targets.length} target(s))`);
  });

program
  .command('store')
  .command('migrate')
  .description('apply pending store migrations to DATABASE_URL')
  .action(async () => {
    const { env } = settings();
    if (!env.DATABASE_URL) throw new ValidationError('environment', [{ path: 'DATABASE_URL', message: 'required for secops store migrate' }]);
    const db = openDatabase(env.DATABASE_URL);
    try {
      const applied = await migrate(db);
      console.log(`${redactDatabaseUrl(env.DATABASE_URL)}: ${applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'up to date'}`);
    } finally {
      await db.end();
    }
  });

for (const name of ['dev', 'demo'] as const) {
  program
    .command(name)
    .description(name === 'dev' ? 'run the local stack until Ctrl-C' : 'start the local stack and run secops doctor against it')
    .option('--port <port>', 'Temporal frontend port', portOption, 7233)
    .option('--ui-port <port>', 'Temporal UI port', portOption, 8233)
    .option('--state-dir <dir>', 'where history and the embedded store persist', '.secops')
    .option('--exit', 'demo only: stop once the report is printed (the default when not on a terminal)')
    .action(async (options: { port: number; uiPort: number; stateDir: string; exit?: boolean }) => {
      const { config } = settings();
      const stack = await startDevStack({ ...options, config, log: (line) => console.log(line) });
      console.log(`Temporal UI: ${stack.uiUrl}`);
      if (name === 'demo') {
        const report = await runDoctor(stack.client, stack.env, config);
        console.log(`\n${formatReport(report)}\n`);
        process.exitCode = report.status === 'failed' ? 1 : 0;
        if (options.exit || !process.stdin.isTTY) {
          await stack.client.connection.close();
          await stack.stop();
          return;
        }
      }
      console.log('secops dev: ready. Ctrl-C stops everything it started.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      console.log('secops dev: stopping');
      await stack.client.connection.close();
      await stack.stop();
      console.log('secops dev: stopped');
    });
}

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ValidationError) {
    console.error(`error: ${error.message}`);
    process.exit(2);
  }
  if (error instanceof TemporalUnreachableError) {
    console.error(`error: ${error.message}`);
    process.exit(1);
  }
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

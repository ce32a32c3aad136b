import type { Command } from 'commander';
import { runDoctor } from '../../client/doctor';
import { formatReport } from '../doctor-report';
import { CLI_EXIT_CODES } from '../exit-codes';
import { settings, withClient } from '../settings';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check Temporal, workers, Docker, scanner images, store and Slack')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      const { env, config } = settings();
      await withClient(env, async (client) => {
        const report = await runDoctor(client, env, config);
        console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
        process.exitCode = report.status === 'failed' ? CLI_EXIT_CODES.failed : CLI_EXIT_CODES.ok;
      });
    });
}

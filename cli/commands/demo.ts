import type { Command } from 'commander';
import { runDoctor } from '../../client/doctor';
import { runDastDemo } from '../demo';
import { formatReport } from '../doctor-report';
import { CLI_EXIT_CODES } from '../exit-codes';
import { localStackOptions, runLocalStack, type LocalStackOptions } from '../local-stack';
import { portOption } from '../settings';

interface DemoOptions extends LocalStackOptions {
  exit?: boolean;
  appPort?: number;
}

export function registerDemo(program: Command): void {
  localStackOptions(program.command('demo').description('start the local stack, run secops doctor, then scan the bundled vulnerable app twice'))
    .option('--exit', 'stop once the report is printed (the default when not on a terminal)')
    .option('--app-port <port>', 'port of the bundled vulnerable app, and of the demo-app target with it (default: the target URL\'s, 8088)', portOption)
    .action((options: DemoOptions) =>
      runLocalStack('demo', options, async (stack, config) => {
        const report = await runDoctor(stack.client, stack.env, config);
        console.log(`\n${formatReport(report)}\n`);
        process.exitCode = report.status === 'failed' ? CLI_EXIT_CODES.failed : CLI_EXIT_CODES.ok;
        if (report.status !== 'failed') await runDastDemo(stack.client, config, (line) => console.log(line), options.appPort);
        return options.exit || !process.stdin.isTTY ? 'done' : 'keep running';
      }),
    );
}

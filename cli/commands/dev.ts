import type { Command } from 'commander';
import { localStackOptions, runLocalStack, type LocalStackOptions } from '../local-stack';

export function registerDev(program: Command): void {
  localStackOptions(program.command('dev').description('run the local stack until Ctrl-C: Temporal dev server, store, workers, the Slack app when configured'))
    .action((options: LocalStackOptions) => runLocalStack('dev', options, async () => 'keep running'));
}

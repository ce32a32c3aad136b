import type { Command } from 'commander';
import { settings } from '../settings';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('the config file (SECOPS_CONFIG, default secops.config.yaml in the working directory)')
    .command('check')
    .description('validate secops.config.yaml and the environment')
    .action(() => {
      const { env, config } = settings();
      console.log(`${env.SECOPS_CONFIG}: ok (${config.targets.length} target(s))`);
    });
}

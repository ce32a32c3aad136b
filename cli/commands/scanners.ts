import type { Command } from 'commander';
import { buildWapitiImage } from '../../scanners/build-wapiti';
import { settings } from '../settings';

export function registerScanners(program: Command): void {
  program
    .command('scanners')
    .description('the scanner images')
    .command('build')
    .description('build the Wapiti scanner image from Debian packages (offline when no registry answers)')
    .option('--tag <tag>', 'image tag')
    .action(async (options: { tag?: string }) => {
      const { config } = settings();
      await buildWapitiImage(options.tag ?? config.scanners.images.wapiti, (line) => console.log(line));
    });
}

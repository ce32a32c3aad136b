import { resolve } from 'node:path';
import type { Command } from 'commander';
import { authorize } from '../../client/authorize';
import { importReport } from '../../client/import-report';
import { scanFailureMessage } from '../../client/failure-message';
import { ENGINES, type Engine } from '../../domain/finding';
import { ValidationError } from '../../domain/validation-error';
import { CLI_EXIT_CODES } from '../exit-codes';
import { formatScanResult } from '../scan-progress';
import { cliPrincipal, knownTarget, settings, withClient } from '../settings';

const COMMAND = 'secops findings import';

/**
 * `secops findings import --target T --engine zap|wapiti FILE`: a report produced elsewhere
 * (the ZAP baseline action's report_json.json, a CI job's Wapiti -f json) taken through the
 * pipeline of a scan as a scan of kind `imported`. Exit 0, or 1 when the verdict is FAIL (a
 * pipeline gates on it with the target's triage applied); a bad report is invalid input (2)
 * and nothing is stored.
 */
export function registerImport(findings: Command): void {
  findings
    .command('import <file>')
    .description('take in a ZAP or Wapiti JSON report produced elsewhere (e.g. in CI) as a scan of the target: diff, triage, reports; exit 1 on FAIL')
    .requiredOption('--target <target>', 'a target of the config')
    .requiredOption('--engine <engine>', `the scanner that wrote the report: ${ENGINES.join(' | ')}`)
    .action(async (file: string, options: { target: string; engine: string }) => {
      const { env, config } = settings();
      const target = knownTarget(config, options.target, COMMAND);
      if (!(ENGINES as readonly string[]).includes(options.engine)) throw new ValidationError(COMMAND, [{ path: '--engine', message: `must be ${ENGINES.join(' or ')}` }]);
      await withClient(env, async (client) => {
        await authorize({ config }, { who: cliPrincipal(env) }, 'dast.scan', target.id);
        const result = await importReport(client, config, target, options.engine as Engine, resolve(file), COMMAND).catch((error: unknown) => {
          if (error instanceof ValidationError) throw error;
          throw new Error(`import into ${target.id} failed: ${scanFailureMessage(error)}`);
        });
        console.log(await formatScanResult(result));
        if (result.verdict === 'fail') process.exitCode = CLI_EXIT_CODES.failed;
      });
    });
}

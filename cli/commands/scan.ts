import type { Command } from 'commander';
import { scanFailureMessage } from '../../client/failure-message';
import { startScan } from '../../client/start-scan';
import { runUrl } from '../../domain/run-url';
import { SCAN_EXIT_CODES } from '../../domain/scan-exit-codes';
import { SCAN_PROFILE_CHOICES, activeScanPolicyProblem, isScanProfile } from '../../domain/scan-profiles';
import { ValidationError } from '../../domain/validation-error';
import { ExitCodeError } from '../exit-codes';
import { formatScanResult, waitWithProgress } from '../scan-progress';
import { cliPrincipal, knownTarget, settings, withClient } from '../settings';
import { authorize } from '../../client/authorize';

interface ScanOptions {
  profile?: string;
  wait: boolean;
}

/** `secops scan <target>`: exits with ZAP's codes, so a pipeline gates on it. */
export function registerScan(program: Command): void {
  program
    .command('scan <target>')
    .description('scan a target now; exit 0 pass, 1 fail, 2 warn, 3 error (ZAP\'s codes, for pipelines)')
    .option('--profile <profile>', `override the target profile: ${SCAN_PROFILE_CHOICES}`)
    .option('--no-wait', 'start the scan, print its workflow id and how to follow it, and exit')
    // Every error exits 3, usage errors too: a pipeline reads 2 as WARN. --help stays 0.
    .exitOverride((error) => {
      throw error.exitCode === 0 ? error : new ExitCodeError(error, SCAN_EXIT_CODES.error);
    })
    .action((targetId: string, options: ScanOptions) =>
      scan(targetId, options).catch((error: unknown) => {
        throw new ExitCodeError(error, SCAN_EXIT_CODES.error);
      }),
    );
}

async function scan(targetId: string, options: ScanOptions): Promise<void> {
  const { env, config } = settings();
  const target = knownTarget(config, targetId, 'secops scan');
  const profile = options.profile ?? target.profile;
  if (!isScanProfile(profile)) throw new ValidationError('secops scan', [{ path: '--profile', message: `must be ${SCAN_PROFILE_CHOICES}` }]);
  const policyProblem = activeScanPolicyProblem(profile, config.approvals);
  if (policyProblem) throw new ValidationError('secops scan', [{ path: '--profile', message: `${policyProblem} in ${env.SECOPS_CONFIG}` }]);
  await withClient(env, async (client) => {
    await authorize({ config }, { who: cliPrincipal(env) }, 'dast.scan', target.id);
    const handle = await startScan(client, config, { ...target, profile }, cliPrincipal(env));
    console.log(`scan started: ${handle.workflowId}`);
    if (!options.wait) {
      const ui = runUrl(env, handle.workflowId);
      console.log(`follow it: secops status ${handle.workflowId}${ui ? `\nTemporal UI: ${ui}` : ''}`);
      return;
    }
    const result = await waitWithProgress(handle, target, process.stdout).catch((error: unknown) => {
      throw new Error(`scan ${handle.workflowId} failed: ${scanFailureMessage(error)}`);
    });
    console.log(await formatScanResult(result));
    process.exitCode = SCAN_EXIT_CODES[result.verdict];
  });
}

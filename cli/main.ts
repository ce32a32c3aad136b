import { writeFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import { buildWapitiImage } from '../scanners/build-wapiti';
import { findTarget } from '../domain/dast';
import { findCredential } from '../domain/rotation';
import type { Environment } from '../domain/environment';
import { loadSettings } from '../client/config-file';
import { parseEnvironment } from '../domain/environment';
import { ValidationError } from '../domain/validation-error';
import { SCAN_EXIT_CODES } from '../domain/scan-exit-codes';
import { SCAN_PROFILE_CHOICES, isScanProfile } from '../domain/scan-profiles';
import { notAnApprovalId, workflowIdOfApproval } from '../client/approval-id';
import { BallotRefusedError, castBallot } from '../client/cast-ballot';
import { runDoctor } from '../client/doctor';
import { EXPORT_FORMATS, exportLatestScan, type ExportFormat } from '../client/export-scan';
import { scanFailureMessage } from '../client/failure-message';
import { migrateStore } from '../client/migrate-store';
import { myPendingApprovals, pendingApprovals } from '../client/pending-approvals';
import { actOnSchedule } from '../client/schedule-action';
import { listSchedules, syncSchedules } from '../client/schedules';
import { startRotation } from '../client/start-rotation';
import { startScan } from '../client/start-scan';
import { withStore, withStoreIfAny } from '../client/store';
import { findStoreUrl, storeUrl } from '../client/store-url';
import { targetFindings } from '../client/target-findings';
import { approvalsTable, cliPrincipal } from './approvals';
import { runDastDemo } from './demo';
import { startDevStack } from './dev-stack';
import { formatReport } from './doctor';
import { findingsTable } from './findings';
import { formatScanResult, waitWithProgress } from './scan';
import { renderTable } from '../render/terminal/table';
import { TemporalUnreachableError, connectClient } from '../client/temporal-client';

/** Exit codes: 0 ok, 1 a check or operation failed, 2 invalid input (config, env, arguments). */
const program = new Command('secops').description('Workflow-as-code security automation on Temporal');

function settings() {
  const env = parseEnvironment(process.env);
  return { env, config: loadSettings(env) };
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
    await withClient(env, async (client) => {
      const report = await runDoctor(client, env, config);
      console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
      process.exitCode = report.status === 'failed' ? 1 : 0;
    });
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
    const { where, applied } = await migrateStore(env.DATABASE_URL);
    console.log(`${where}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
  });

program
  .command('scan <target>')
  .description('scan a target now; exit 0 pass, 1 fail, 2 warn, 3 error (ZAP\'s codes, for pipelines)')
  .option('--profile <profile>', 'override the target profile: baseline | full | api')
  .option('--no-wait', 'start the scan and print its workflow id')
  .action((targetId: string, options: { profile?: string; wait: boolean }) =>
    // Any failure exits 3, never 2: a pipeline reads 2 as WARN.
    scanCommand(targetId, options).catch((error: unknown) => {
      throw new ExitCodeError(error instanceof Error ? error.message : String(error), SCAN_EXIT_CODES.error);
    }),
  );

async function scanCommand(targetId: string, options: { profile?: string; wait: boolean }): Promise<void> {
  process.exitCode = SCAN_EXIT_CODES.error;
  const { env, config } = settings();
  const target = findTarget(config, targetId);
  if (!target) throw new ValidationError('secops scan', [{ path: 'target', message: `unknown target "${targetId}" (known: ${config.targets.map((t) => t.id).join(', ') || 'none'})` }]);
  const profile = options.profile ?? target.profile;
  if (!isScanProfile(profile)) throw new ValidationError('secops scan', [{ path: '--profile', message: `must be ${SCAN_PROFILE_CHOICES}` }]);
  const client = await connectClient(env);
  const handle = await startScan(client, config, { ...target, profile }, cliPrincipal(env));
  console.log(`scan started: ${handle.workflowId}`);
  if (!options.wait) return void (process.exitCode = 0);
  try {
    const result = await waitWithProgress(handle, target, process.stdout);
    console.log(await formatScanResult(result));
    process.exitCode = SCAN_EXIT_CODES[result.verdict];
  } catch (error) {
    console.error(`error: scan ${handle.workflowId} failed: ${scanFailureMessage(error)}`);
  } finally {
    await client.connection.close();
  }
}

program
  .command('rotate <credential>')
  .description('rotate a credential now: create, apply, verify, (approve), promote; rolled back on failure')
  .option('--no-wait', 'start the rotation and print its workflow id')
  .action(async (credentialId: string, options: { wait: boolean }) => {
    const { env, config } = settings();
    const credential = findCredential(config, credentialId);
    if (!credential) throw new ValidationError('secops rotate', [{ path: 'credential', message: `unknown credential "${credentialId}" (known: ${config.credentials.map((c) => c.id).join(', ') || 'none'})` }]);
    await withClient(env, async (client) => {
      const handle = await startRotation(client, config, credential, cliPrincipal(env));
      console.log(`rotation started: ${handle.workflowId}`);
      if (!options.wait) return;
      const result = await handle.result();
      console.log(`${credential.id}: version ${result.versionId} for ${result.username} is CURRENT${result.revokedPrevious ? `; previous of ${result.revokedPrevious} revoked` : ''}`);
    });
  });

const approvals = program.command('approvals').description('approve or reject what workflows wait on (the same rules as in Slack)');
approvals
  .command('list')
  .option('--mine', 'only those you may vote on')
  .action(async (options: { mine?: boolean }) => {
    const { env } = settings();
    await withClient(env, async (client) => {
      const me = cliPrincipal(env);
      console.log(approvalsTable(options.mine ? await myPendingApprovals(client, me) : await pendingApprovals(client), me));
    });
  });
for (const vote of ['approve', 'reject'] as const) {
  approvals
    .command(`${vote} <approval>`)
    .option('--reason <reason>', vote === 'reject' ? 'why (required)' : 'note for the audit trail')
    .action(async (approvalId: string, options: { reason?: string }) => {
      const { env } = settings();
      if (!workflowIdOfApproval(approvalId)) throw new ValidationError(`secops approvals ${vote}`, [{ path: '<approval>', message: notAnApprovalId(approvalId) }]);
      // A refused vote is audited in the store, when there is one (DATABASE_URL or a running `secops dev`).
      await withClient(env, (client) => withStoreIfAny(findStoreUrl(env), async (db) => {
        try {
          const outcome = await castBallot({ client, db }, { approvalId, voter: cliPrincipal(env), vote, ...(options.reason && { reason: options.reason }) });
          console.log('approved' in outcome ? `${approvalId}: ${outcome.approved ? 'APPROVED' : 'REJECTED'} (${outcome.reason})` : `${approvalId}: vote recorded, ${outcome.approvals.length} of ${outcome.quorum} approvals`);
        } catch (error) {
          if (!(error instanceof BallotRefusedError)) throw error;
          console.error(`error: refused: ${error.message}`);
          process.exitCode = 1;
        }
      }));
    });
}

const schedules = program.command('schedules').description('Temporal Schedules of the DAST targets (dast:<target>)');
schedules
  .command('sync')
  .description('create, update and delete schedules to match the config')
  .action(async () => {
    const { env, config } = settings();
    await withClient(env, async (client) => {
      const result = await syncSchedules(client, config);
      for (const [what, ids] of Object.entries(result)) if (ids.length > 0) console.log(`${what}: ${ids.join(', ')}`);
    });
  });
schedules
  .command('list')
  .action(async () => {
    const { env, config } = settings();
    await withClient(env, async (client) => {
      const rows = await listSchedules(client, config);
      console.log(renderTable(['schedule', 'state', 'next run', 'last run'], rows.map((r) => [r.scheduleId, r.paused ? 'paused' : 'active', r.nextRun?.toISOString() ?? '-', r.lastRun?.toISOString() ?? '-'])));
    });
  });
for (const action of ['pause', 'unpause', 'trigger'] as const) {
  schedules
    .command(`${action} <target>`)
    .action(async (targetId: string) => {
      const { env, config } = settings();
      await withClient(env, async (client) => {
        const scheduleId = await actOnSchedule(client, config, targetId, action, cliPrincipal(env));
        console.log(`${scheduleId}: ${action === 'trigger' ? 'triggered' : `${action}d`}`);
      });
    });
}

const findings = program.command('findings').description('findings of a target, from the store');
findings
  .command('list')
  .requiredOption('--target <target>')
  .action(async (options: { target: string }) => {
    const { env } = settings();
    await withStore(storeUrl(env), async (db) => console.log(findingsTable(options.target, await targetFindings(db, options.target))));
  });
findings
  .command('export')
  .requiredOption('--target <target>')
  .option('--format <format>', 'json | sarif | md | html', 'json')
  .option('--output <file>', 'write to a file instead of stdout')
  .action(async (options: { target: string; format: string; output?: string }) => {
    const { env } = settings();
    if (!(options.format in EXPORT_FORMATS)) throw new ValidationError('secops findings export', [{ path: '--format', message: `must be one of ${Object.keys(EXPORT_FORMATS).join(', ')}` }]);
    await withStore(storeUrl(env), async (db) => {
      const text = await exportLatestScan(db, options.target, options.format as ExportFormat);
      if (options.output) {
        await writeFile(options.output, text);
        console.log(`${options.output} written`);
      } else process.stdout.write(text);
    });
  });

program
  .command('scanners')
  .command('build')
  .description('build the Wapiti scanner image from Debian packages (offline when no registry answers)')
  .option('--tag <tag>', 'image tag')
  .action(async (options: { tag?: string }) => {
    const { config } = settings();
    await buildWapitiImage(options.tag ?? config.scanners.images.wapiti, (line) => console.log(line));
  });

async function withClient(env: Environment, work: (client: Client) => Promise<void>): Promise<void> {
  const client = await connectClient(env);
  try {
    await work(client);
  } finally {
    await client.connection.close();
  }
}

for (const name of ['dev', 'demo'] as const) {
  program
    .command(name)
    .description(name === 'dev' ? 'run the local stack until Ctrl-C' : 'start the local stack, run secops doctor, then scan the bundled vulnerable app twice')
    .option('--port <port>', 'Temporal frontend port', portOption, 7233)
    .option('--ui-port <port>', 'Temporal UI port', portOption, 8233)
    .option('--state-dir <dir>', 'where history and the embedded store persist', '.secops')
    .option('--exit', 'demo only: stop once the report is printed (the default when not on a terminal)')
    .option('--app-port <port>', 'demo only: port of the bundled vulnerable app, and of the demo-app target with it (default: the target URL\'s, 8088)', portOption)
    .action(async (options: { port: number; uiPort: number; stateDir: string; exit?: boolean; appPort?: number }) => {
      const { config } = settings();
      const stack = await startDevStack({ ...options, config, log: (line) => console.log(line) });
      const stop = async () => {
        await stack.client.connection.close();
        await stack.stop();
      };
      console.log(`Temporal UI: ${stack.uiUrl}`);
      if (name === 'demo') {
        try {
          const report = await runDoctor(stack.client, stack.env, config);
          console.log(`\n${formatReport(report)}\n`);
          process.exitCode = report.status === 'failed' ? 1 : 0;
          if (report.status !== 'failed') await runDastDemo(stack.client, config, (line) => console.log(line), options.appPort);
        } catch (error) {
          await stop();
          throw error;
        }
        if (options.exit || !process.stdin.isTTY) return stop();
      }
      console.log(`secops ${name}: ready. Ctrl-C stops everything it started.`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      console.log(`secops ${name}: stopping`);
      await stop();
      console.log(`secops ${name}: stopped`);
    });
}

/** A failure whose exit code the command chose (see secops scan). */
class ExitCodeError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ExitCodeError) {
    console.error(`error: ${error.message}`);
    process.exit(error.exitCode);
  }
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

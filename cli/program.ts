import { Command } from 'commander';
import { packageVersion } from '../client/package-version';
import { registerApprovals } from './commands/approvals';
import { registerAudit } from './commands/audit';
import { registerConfig } from './commands/config';
import { registerDemo } from './commands/demo';
import { registerDev } from './commands/dev';
import { registerDoctor } from './commands/doctor';
import { registerFindings } from './commands/findings';
import { registerHttp } from './commands/http';
import { registerIncident } from './commands/incident';
import { registerKeys } from './commands/keys';
import { registerPlaybooks } from './commands/playbooks';
import { registerRotate } from './commands/rotate';
import { registerScan } from './commands/scan';
import { registerScanners } from './commands/scanners';
import { registerSchedules } from './commands/schedules';
import { registerStatus } from './commands/status';
import { registerStore } from './commands/store';

/**
 * The `secops` command tree, one file per command under commands/. Commander throws instead
 * of exiting (exitOverride, inherited by every command added after it), so usage errors get
 * the CLI's exit code like any other error (cli/exit-codes.ts).
 */
export function secopsProgram(): Command {
  const program = new Command('secops')
    .description('Workflow-as-code security automation on Temporal')
    .version(packageVersion(), '-V, --version', 'print the secops-flow version')
    .exitOverride();
  for (const register of [
    registerDev, registerDemo, registerDoctor, registerConfig, registerStore,
    registerScan, registerStatus, registerRotate, registerApprovals, registerKeys, registerAudit, registerSchedules, registerFindings, registerScanners,
    registerPlaybooks, registerIncident, registerHttp,
  ]) register(program);
  return program;
}

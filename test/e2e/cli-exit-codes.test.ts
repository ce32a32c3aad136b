import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { projectPath } from '../../processes/tool-paths';
import { freePort } from '../support/ports';
import { runEntry } from '../support/run-cli';
import { testKeyPem } from '../support/test-ballots';

/**
 * One exit-code table for the whole CLI (cli/exit-codes.ts, README "Exit codes"): 0 ok, 1 a
 * check or operation failed, 2 invalid input (usage errors too), 3 Temporal or the store
 * down; under `secops scan` every error is 3. Where a case must start nothing, Temporal and
 * the store are pointed at ports nobody listens on: had the command tried to reach either,
 * its error would be "unreachable", not the one asserted.
 */
describe('secops exit codes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secops-exit-codes-'));
  const configPath = join(dir, 'secops.config.yaml');
  // No approvals policy: an active scan of shop has nobody to approve it.
  writeFileSync(configPath, 'version: 1\ntargets:\n  - { id: shop, url: "http://127.0.0.1:9/", scope: { hosts: [127.0.0.1] } }\n');
  const nowhere = async () => ({ SECOPS_CONFIG: configPath, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, DATABASE_URL: `postgres://secops@127.0.0.1:${await freePort()}/secops` });
  const secops = async (args: string[], env: NodeJS.ProcessEnv = {}) => runEntry(['secops', ...args], { ...(await nowhere()), ...env });

  it('0: --version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string };
    expect(await secops(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('2: usage errors from the argument parser, before anything is reached', async () => {
    const cases: [string[], string][] = [
      [['bogus'], "error: unknown command 'bogus'\n"],
      [['doctor', '--bogus'], "error: unknown option '--bogus'\n"],
      [['approvals', 'approve'], "error: missing required argument 'approval'\n"],
      [['findings', 'list'], "error: required option '--target <target>' not specified\n"],
      [['dev', '--port', 'http'], "error: option '--port <port>' argument 'http' is invalid. must be a port number\n"],
    ];
    const results = await Promise.all(cases.map(([args]) => secops(args)));
    expect(results.map((r) => [r.code, r.stdout, r.stderr])).toEqual(cases.map(([, stderr]) => [2, '', stderr]));
  });

  it('3 under scan: usage errors and invalid input never read as WARN (2), and no scan starts', async () => {
    const [missing, unknownOption, fullWithoutPolicy] = await Promise.all([
      secops(['scan']),
      secops(['scan', 'shop', '--bogus']),
      secops(['scan', 'shop', '--profile', 'full']),
    ]);
    expect(missing).toMatchObject({ code: 3, stdout: '', stderr: "error: missing required argument 'target'\n" });
    expect(unknownOption).toMatchObject({ code: 3, stdout: '', stderr: "error: unknown option '--bogus'\n" });
    expect(fullWithoutPolicy).toMatchObject({
      code: 3, stdout: '',
      stderr: `error: secops scan is invalid:\n  - --profile: the full profile scans actively and needs an approvals."dast.active-scan" policy in ${configPath}\n`,
    });
  });

  it('2: invalid input names what it looked at, before Temporal or the store is asked', async () => {
    const missingConfig = join(dir, 'absent.yaml');
    const [unknownTarget, unknownScheduleTarget, noOutputDir, noConfig] = await Promise.all([
      secops(['findings', 'list', '--target', 'nope']),
      secops(['schedules', 'pause', 'nope']),
      secops(['findings', 'export', '--target', 'shop', '--output', join(dir, 'missing', 'report.json')]),
      secops(['config', 'check'], { SECOPS_CONFIG: missingConfig }),
    ]);
    expect(unknownTarget).toMatchObject({ code: 2, stdout: '', stderr: 'error: secops findings list is invalid:\n  - target: unknown target "nope" (known: shop)\n' });
    expect(unknownScheduleTarget).toMatchObject({ code: 2, stdout: '', stderr: 'error: secops schedules pause is invalid:\n  - target: unknown target "nope" (known: shop)\n' });
    expect(noOutputDir).toMatchObject({ code: 2, stdout: '', stderr: `error: secops findings export is invalid:\n  - --output: the directory ${join(dir, 'missing')} does not exist\n` });
    expect(noConfig).toMatchObject({ code: 2, stdout: '', stderr: `error: ${missingConfig} is invalid:\n  - cannot read the config file (ENOENT): looked at ${missingConfig}\n` });
    // A relative path is named resolved, against the working directory (the project root here).
    const relative = await secops(['config', 'check'], { SECOPS_CONFIG: 'absent.yaml' });
    expect(relative.code).toBe(2);
    expect(relative.stderr).toContain(`looked at ${projectPath('absent.yaml')} ("absent.yaml" resolved against the working directory; set SECOPS_CONFIG to choose another)`);
  });

  it('3: Temporal down and store down are one class, with how to start the stack', async () => {
    const env = await nowhere();
    const hint = '; start the local stack with `secops dev`, or set TEMPORAL_ADDRESS / DATABASE_URL to where yours runs\n';
    const [temporalDown, storeDown, noStore, scanTemporalDown] = await Promise.all([
      secops(['schedules', 'list'], env),
      secops(['findings', 'list', '--target', 'shop'], env),
      secops(['findings', 'list', '--target', 'shop'], { DATABASE_URL: undefined, SECOPS_CONFIG: configPath }),
      secops(['scan', 'shop'], env),
    ]);
    expect(temporalDown).toMatchObject({ code: 3, stdout: '' });
    expect(temporalDown.stderr).toMatch(new RegExp(`^error: Temporal unreachable at ${env.TEMPORAL_ADDRESS.replaceAll('.', '\\.')}: .+${escape(hint)}$`));
    expect(storeDown).toMatchObject({ code: 3, stdout: '' });
    expect(storeDown.stderr).toMatch(new RegExp(`^error: store unreachable at postgres://secops@${env.DATABASE_URL.split('@')[1]!.replaceAll('.', '\\.')}: .+${escape(hint)}$`));
    expect(noStore).toMatchObject({ code: 3, stdout: '', stderr: `error: no store: DATABASE_URL is not set and no \`secops dev\` runs with the state directory ${projectPath('.secops')}${hint}` });
    expect(scanTemporalDown).toMatchObject({ code: 3, stdout: '' });
    expect(scanTemporalDown.stderr).toMatch(/^error: Temporal unreachable at /);
  });

  it('1: an operation the platform refuses (a vote on an approval that is not pending)', async () => {
    const refused = await secops(['approvals', 'approve', 'dast:nope:1#1'], { TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: undefined, SECOPS_USER: 'alice', SECOPS_BALLOT_KEY: testKeyPem('alice') });
    expect(refused).toMatchObject({ code: 1, stdout: '', stderr: 'error: refused: approval dast:nope:1#1 is not pending (its run has ended or does not exist)\n' });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\`]/g, '\\$&');
}

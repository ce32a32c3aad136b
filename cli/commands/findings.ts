import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXPORT_FORMATS, exportLatestScan, type ExportFormat } from '../../client/export-scan';
import { latestCompletedScan, type ScanRecord } from '../../client/latest-scan';
import { withStore } from '../../client/store';
import { storeUrl } from '../../client/store-url';
import { targetFindings, type StoredFinding } from '../../client/target-findings';
import { ValidationError } from '../../domain/validation-error';
import { scanQualityLine } from '../../render/reports/scan-quality';
import { renderTable } from '../../render/terminal/table';
import { knownTarget, settings } from '../settings';
import { registerImport } from './import';
import { registerTriage } from './triage';

/** `secops findings list | export | triage | import`: a target's findings, from the store. */
export function registerFindings(program: Command): void {
  const findings = program.command('findings').description('findings of a target, from the store');
  findings
    .command('list')
    .description('every finding the target had, open first (those the latest scan could not re-test after), with first and last seen')
    .requiredOption('--target <target>', 'a target of the config')
    .action(async (options: { target: string }) => {
      const { env, config } = settings();
      const target = knownTarget(config, options.target, 'secops findings list');
      await withStore(storeUrl(env), async (db) => {
        const [latest, stored] = await Promise.all([latestCompletedScan(db, target.id), targetFindings(db, target.id)]);
        console.log([...(latest ? [latestScanLine(latest)] : []), findingsTable(target.id, stored)].join('\n'));
      });
    });
  findings
    .command('export')
    .description('the latest completed scan\'s report, as JSON, SARIF, Markdown or HTML')
    .requiredOption('--target <target>', 'a target of the config')
    .option('--format <format>', 'json | sarif | md | html', 'json')
    .option('--output <file>', 'write to a file instead of stdout')
    .action(async (options: { target: string; format: string; output?: string }) => {
      const { env, config } = settings();
      const target = knownTarget(config, options.target, 'secops findings export');
      const problems = [
        ...(options.format in EXPORT_FORMATS ? [] : [{ path: '--format', message: `must be one of ${Object.keys(EXPORT_FORMATS).join(', ')}` }]),
        ...(options.output ? outputProblems(options.output) : []),
      ];
      if (problems.length > 0) throw new ValidationError('secops findings export', problems);
      await withStore(storeUrl(env), async (db) => {
        const text = await exportLatestScan(db, target.id, options.format as ExportFormat);
        if (options.output) {
          await writeFile(options.output, text);
          console.log(`${options.output} written`);
        } else process.stdout.write(text);
      });
    });
  registerTriage(findings);
  registerImport(findings);
}

/** A file to write must go into a directory that exists: said before the store is asked, with the directory looked at. */
function outputProblems(output: string) {
  const directory = resolve(dirname(output));
  if (!existsSync(directory)) return [{ path: '--output', message: `the directory ${directory} does not exist` }];
  if (!statSync(directory).isDirectory()) return [{ path: '--output', message: `${directory} is not a directory` }];
  return [];
}

/** What the latest completed scan covered: how far its "fixed" and its silence go. */
function latestScanLine(scan: ScanRecord): string {
  const when = scan.finishedAt ? ` (${day(scan.finishedAt)})` : '';
  return `latest scan ${scan.id}${when}: ${scan.quality ? scanQualityLine(scan.quality, scan.engine) : 'scan quality not recorded'}`;
}

/**
 * A target's findings as `secops findings list` prints them. An open finding the latest scan
 * did not see and could not re-test shows as "not re-tested": still open, not fixed.
 */
function findingsTable(targetId: string, findings: StoredFinding[]): string {
  if (findings.length === 0) return `no findings for target ${targetId}`;
  return renderTable(
    ['status', 'severity', 'finding', 'location', 'first seen', 'last seen', 'fingerprint'],
    findings.map((f) => [
      f.status === 'open' && f.notRetestedScan ? 'not re-tested' : f.status,
      f.severity, f.title, f.url + (f.parameter ? ` [${f.parameter}]` : ''), day(f.firstSeenAt), day(f.lastSeenAt), f.fingerprint.slice(0, 12),
    ]),
  );
}

function day(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

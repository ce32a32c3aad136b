import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { Reporter, Vitest } from 'vitest/node';

type ConsoleLog = Parameters<NonNullable<Reporter['onUserConsoleLog']>>[0];

/**
 * Writes every console line of the run (SDK and worker logs included, see quiet-runtime.ts) to
 * one file under the OS temp dir, each under the name of the test that printed it, and names the
 * file after the summary. The terminal keeps failures readable: it shows the console output of
 * failed tests only (`silent: 'passed-only'`).
 */
export default class TestLogReporter implements Reporter {
  private vitest?: Vitest;
  private file = '';

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
    this.file = join(mkdtempSync(join(tmpdir(), 'secops-test-logs-')), 'console.log');
    writeFileSync(this.file, '');
  }

  onUserConsoleLog(log: ConsoleLog): void {
    const content = stripVTControlCharacters(log.content.endsWith('\n') ? log.content : `${log.content}\n`);
    appendFileSync(this.file, `--- ${new Date(log.time).toISOString()} ${log.type} of ${this.nameOf(log.taskId)}\n${content}`);
  }

  onTestRunEnd(): void {
    this.vitest?.logger.log(`   Test logs  ${this.file} (console and SDK output of every test; the terminal shows failed tests' only)\n`);
  }

  private nameOf(taskId: string | undefined): string {
    const task = taskId === undefined ? undefined : this.vitest?.state.idMap.get(taskId);
    const entity = task && this.vitest?.state.getReportedEntity(task);
    if (!entity) return taskId ?? 'no test';
    return entity.type === 'module' ? entity.relativeModuleId : `${entity.module.relativeModuleId} > ${entity.fullName}`;
  }
}

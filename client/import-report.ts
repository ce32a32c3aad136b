import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import type { Config, Target } from '../domain/config';
import type { DastScanResult } from '../domain/dast';
import { failureMessage } from '../domain/failure-message';
import type { Engine } from '../domain/finding';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { ValidationError } from '../domain/validation-error';
import { importReport as importReportWorkflow } from '../workflows/import-report';

/** Failure types of a report the parsers refuse (activities/findings/report-parse-error.ts), or one about another site (checkReport). */
const REFUSED_REPORT = new Set(['MalformedReport', 'ReportTooLarge', 'UnstorableReport', 'ReportNotForTarget']);

/**
 * `import:<target>:<time>:<random>`: the run, and the scan it records, of one imported report.
 * CI jobs import side by side, so the time alone could name two runs.
 */
export function importWorkflowId(targetId: string, at: Date): string {
  return `import:${targetId}:${at.toISOString()}:${randomBytes(3).toString('hex')}`;
}

/**
 * Takes a ZAP or Wapiti JSON report produced elsewhere (a CI job) through the pipeline of a
 * scan, as a scan of kind `imported` (workflows/import-report.ts), and waits for its result.
 * `reportPath` must be absolute and readable by the control worker, which reads it: on
 * `secops dev` that is this machine. A report the parsers refuse is invalid input: a
 * ValidationError naming the file and the problem, and nothing is stored.
 */
export async function importReport(client: Client, config: Config, target: Target, engine: Engine, reportPath: string, source = 'secops findings import'): Promise<DastScanResult> {
  const problem = fileProblem(reportPath);
  if (problem) throw new ValidationError(source, [{ path: 'FILE', message: problem }]);
  try {
    return await client.workflow.execute(importReportWorkflow, {
      taskQueue: config.taskQueues.control,
      workflowId: importWorkflowId(target.id, new Date()),
      args: [{ target, engine, reportPath, artifactsDir: config.artifactsDir }],
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.target, value: target.id }],
    });
  } catch (error) {
    const refusal = reportRefusal(error);
    if (refusal) throw new ValidationError(source, [{ path: 'FILE', message: refusal }]);
    throw error;
  }
}

/** What is wrong with the path itself, said before anything starts. */
function fileProblem(path: string): string | undefined {
  if (!isAbsolute(path)) return `${path} is not an absolute path`;
  try {
    return statSync(path).isFile() ? undefined : `${path} is not a file`;
  } catch (error) {
    return `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
}

/** The parser's own words when the run failed because the report was refused. */
function reportRefusal(error: unknown): string | undefined {
  if (!(error instanceof WorkflowFailedError)) return undefined;
  const cause = error.cause instanceof ActivityFailure ? error.cause.cause : error.cause;
  return cause instanceof ApplicationFailure && REFUSED_REPORT.has(cause.type ?? '') ? failureMessage(cause) : undefined;
}

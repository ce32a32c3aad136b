import { writeFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { projectPath } from '../../cli/tool-paths';

export const HISTORIES_DIR = projectPath('test', 'histories');

/**
 * With SECOPS_RECORD_HISTORIES=1, keeps an e2e run's history under test/histories/ so that
 * every later run replays it against the current workflow code (non-determinism check).
 */
export async function recordHistory(client: Client, workflowId: string): Promise<void> {
  if (process.env.SECOPS_RECORD_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  // Proto3 JSON, the format `temporal workflow show --output json` writes too.
  writeFileSync(`${HISTORIES_DIR}/${historyFileName(workflowId)}`, `${JSON.stringify(JSON.parse(historyToJSON(history!)), null, 2)}\n`);
}

/** The file is named after the run's workflow id: replay needs the same id (approval ids embed it). */
export function historyFileName(workflowId: string): string {
  return `${encodeURIComponent(workflowId)}.json`;
}

export function workflowIdOf(fileName: string): string {
  return decodeURIComponent(fileName.replace(/\.json$/, ''));
}

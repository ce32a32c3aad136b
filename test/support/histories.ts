import { existsSync, writeFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { projectPath } from '../../processes/tool-paths';

export const HISTORIES_DIR = projectPath('test', 'histories');

/**
 * With SECOPS_RECORD_HISTORIES=1, keeps an e2e run's history under test/histories/ so that
 * every later run replays it against the current workflow code (non-determinism check).
 * Works with the dev server's client and a time-skipping environment's `env.client` alike.
 * A history already recorded is kept: it stands for runs started by older code, and
 * overwriting it with today's run would hide exactly the change it exists to catch.
 */
export async function recordHistory(client: Client, workflowId: string): Promise<void> {
  if (process.env.SECOPS_RECORD_HISTORIES !== '1') return;
  const file = `${HISTORIES_DIR}/${historyFileName(workflowId)}`;
  if (existsSync(file)) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  // Proto3 JSON, the format `temporal workflow show --output json` writes too.
  writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history!)), null, 2)}\n`);
}

/** The file is named after the run's workflow id: replay needs the same id (approval ids embed it). */
export function historyFileName(workflowId: string): string {
  return `${encodeURIComponent(workflowId)}.json`;
}

export function workflowIdOf(fileName: string): string {
  return decodeURIComponent(fileName.replace(/\.json$/, ''));
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../../worker/workflow-bundle';
import { HISTORIES_DIR, workflowIdOf } from '../support/histories';

describe('recorded histories replay against the current workflow code', () => {
  const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('replays every one without non-determinism', async () => {
    const histories = files.map((file) => ({ workflowId: workflowIdOf(file), history: historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8'))) }));
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await bundleWorkflows() }, histories)) results.push(result);
    expect(results.map((r) => [r.workflowId, r.error?.message ?? 'ok'])).toEqual(files.map((f) => [workflowIdOf(f), 'ok']));
  });
});

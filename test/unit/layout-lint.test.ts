import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The "may import" column of ARCHITECTURE.md is enforced by eslint.config.mjs. Each case lints one
 * import with the project's own config as if it lived at `file` (the file need not exist), so a
 * rule that stops matching, or starts matching a legitimate import, fails here.
 */
const root = join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.config.mjs') });

async function layoutErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const FORBIDDEN: Array<[why: string, file: string, code: string]> = [
  ['a front end imports another front end', 'slack-app/handlers/probe.ts', "import { startScan } from '../../cli/scan';"],
  ['a front end imports another front end', 'cli/probe.ts', "import { createApp } from '../slack-app/app';"],
  ['a front end imports another front end', 'cli/commands/probe.ts', "import { server } from '../../http/server';"],
  ['a front end skips client/ for the store', 'slack-app/probe.ts', "import { recordTriage } from '../store/triage';"],
  ['the CLI skips client/ for the store', 'cli/probe.ts', "import { startEmbeddedServer } from '../store/embedded-server';"],
  ['a front end skips client/ for the worker', 'cli/probe.ts', "import { syncSchedules } from '../worker/schedules';"],
  ['an activity imports a front end', 'activities/slack/probe.ts', "import { createApp } from '../../slack-app/app';"],
  ['an activity imports a front end', 'activities/probe.ts', "import { startScan } from '../cli/scan';"],
  ['an activity imports a front end, three folders deep', 'activities/slack/deep/probe.ts', "import { startScan } from '../../../cli/scan';"],
  ['an activity imports client/', 'activities/probe.ts', "import { connectClient } from '../client/temporal-client';"],
  ['domain imports the store', 'domain/probe.ts', "import { listTargetFindings } from '../store/scans';"],
  ['domain reads files', 'domain/probe.ts', "import { readFileSync } from 'node:fs';"],
  ['domain starts processes', 'domain/probe.ts', "import { spawn } from 'node:child_process';"],
  ['domain opens a database', 'domain/probe.ts', "import pg from 'pg';"],
  ['domain talks to Docker', 'domain/probe.ts', "import Docker from 'dockerode';"],
  ['render imports activities', 'render/slack/probe.ts', "import { createActivities } from '../../activities';"],
  ['render imports the store', 'render/reports/probe.ts', "import { listTargetFindings } from '../../store/scans';"],
  ['render climbs out of the checkout', 'render/probe.ts', "import { x } from '../../elsewhere/x';"],
  ['a workflow reads files', 'workflows/probe.ts', "import { readFileSync } from 'node:fs';"],
  ['a workflow imports an activity as a value', 'workflows/probe.ts', "import { createActivities } from '../activities';"],
  ['a nested workflow imports an activity as a value', 'workflows/playbooks/probe.ts', "import { createActivities } from '../../activities';"],
  ['a workflow imports store types', 'workflows/probe.ts', "import type { Database } from '../store/database';"],
  ['the store imports render', 'store/probe.ts', "import { renderSarif } from '../render/reports/sarif';"],
  ['secrets import the store', 'secrets/probe.ts', "import { openDatabase } from '../store/database';"],
  ['the codec imports client/', 'codec/probe.ts', "import { connectClient } from '../client/temporal-client';"],
  ['client/ imports a front end', 'client/probe.ts', "import { startScan } from '../cli/scan';"],
  ['client/ imports activities', 'client/probe.ts', "import { createActivities } from '../activities';"],
  ['the worker imports a front end', 'worker/probe.ts', "import { createApp } from '../slack-app/app';"],
  ['process helpers import the store', 'processes/probe.ts', "import { openDatabase } from '../store/database';"],
];

const ALLOWED: Array<[why: string, file: string, code: string]> = [
  ['a workflow imports activity types', 'workflows/probe.ts', "import type { Activities } from '../activities';"],
  ['a workflow imports domain', 'workflows/probe.ts', "import { dastWorkflowId } from '../domain/dast';"],
  ['a workflow imports a sibling workflow', 'workflows/probe.ts', "import { approvalGate } from './approval';"],
  ['activities import their own subfolder named like a top-level folder', 'activities/probe.ts', "import { x } from './secrets/credential-providers';"],
  ['activities import a sibling subfolder named like a top-level folder', 'activities/slack/probe.ts', "import { x } from '../secrets/rotation-steps';"],
  ['activities import the top-level secrets/', 'activities/secrets/probe.ts', "import { x } from '../../secrets/secret-store';"],
  ['activities import render/', 'activities/slack/probe.ts', "import { x } from '../../render/slack/message';"],
  ['activities import the store', 'activities/findings/probe.ts', "import { x } from '../../store/scans';"],
  ['render imports a sibling presenter', 'render/reports/probe.ts', "import { x } from '../slack/mrkdwn';"],
  ['render imports domain', 'render/slack/probe.ts', "import { x } from '../../domain/finding';"],
  ['domain hashes', 'domain/probe.ts', "import { createHash } from 'node:crypto';"],
  ['domain imports domain', 'domain/probe.ts', "import { x } from './fingerprint';"],
  ['client/ imports workflow definitions', 'client/probe.ts', "import { dastScan } from '../workflows/dast-scan';"],
  ['client/ imports the store', 'client/probe.ts', "import { x } from '../store/scans';"],
  ['client/ imports the codec', 'client/probe.ts', "import { x } from '../codec/data-converter';"],
  ['a front end imports client/', 'slack-app/handlers/probe.ts', "import { x } from '../../client/scans';"],
  ['a front end imports render/', 'slack-app/handlers/probe.ts', "import { x } from '../../render/slack/message';"],
  ['a front end imports its own files', 'slack-app/handlers/probe.ts', "import { x } from '../deps';"],
  ['the CLI imports process helpers', 'cli/probe.ts', "import { isPortFree } from '../processes/port';"],
  ['the CLI builds the Wapiti image of the local stack', 'cli/probe.ts', "import { buildWapitiImage } from '../scanners/build-wapiti';"],
  ['the worker imports activities', 'worker/probe.ts', "import { createActivities } from '../activities';"],
  ['the worker imports client/', 'worker/probe.ts', "import { x } from '../client/temporal-client';"],
  ['tests import anything', 'test/unit/probe.test.ts', "import { x } from '../../cli/scan';"],
  ['benchmarks import anything', 'bench/probe.ts', "import { x } from '../slack-app/app';"],
];

describe('lint enforces the layout of ARCHITECTURE.md', () => {
  it.each(FORBIDDEN)('reports an import where %s (%s)', async (_why, file, code) => {
    expect(await layoutErrors(file, code)).toHaveLength(1);
  });

  it.each(ALLOWED)('allows an import where %s (%s)', async (_why, file, code) => {
    expect(await layoutErrors(file, code)).toEqual([]);
  });

  it('names what the folder may import', async () => {
    expect(await layoutErrors('slack-app/handlers/probe.ts', "import { startScan } from '../../cli/scan';")).toEqual([
      expect.stringContaining('slack-app/ may import only client/, render/, domain/ of ours'),
    ]);
  });

  // A folder the config has no row for would import anything unnoticed.
  const FREE = new Set(['test', 'bench', 'demo', 'scripts', 'node_modules', 'dist']);
  const codeFolders = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !FREE.has(entry.name))
    .filter((entry) => readdirSync(join(root, entry.name), { recursive: true }).some((name) => String(name).endsWith('.ts')))
    .map((entry) => entry.name);

  it.each(codeFolders)('has a rule for %s/', async (folder) => {
    expect(await layoutErrors(`${folder}/probe.ts`, "import { x } from '../no-such-folder/x';")).toHaveLength(1);
  });
});

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter';

/**
 * `build-workflow-bundle <output file>`: bundles the workflows with webpack and writes the
 * code to a file that must not exist yet (mode 0600). Not an entry point of its own:
 * worker/workflow-bundle.ts runs it as a short-lived child process, so the few hundred MB
 * webpack takes are never part of a worker's resident memory. Failures go to stderr (webpack's
 * own report first, through the logger below), and the exit code is 1.
 *
 * Workflow code converts its own failures inside the sandbox, so the failure converter that
 * moves messages into (encryptable) payloads is bundled here; a Worker's dataConverter does
 * not reach a prebuilt bundle.
 */
async function main(): Promise<void> {
  const [output, ...extra] = process.argv.slice(2);
  if (!output || extra.length > 0) throw new Error('usage: build-workflow-bundle <output file>');
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', 'workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    preloadModules: SHARED_MODULES,
    logger: quietLogger,
  });
  writeFileSync(output, code, { mode: 0o600, flag: 'wx' });
}

/**
 * Evaluated once per worker and shared by every run, instead of once per run: the Ed25519
 * verifier holds no per-run state (constants, and a base-point table that is the same for
 * everyone), and rebuilding it made each vote's first verification cost tens of
 * milliseconds (bench/approval-latency). Our own module, not @noble/curves itself: noble
 * declares itself free of side effects, so webpack drops a bare preload of it.
 *
 * Not zod, nor the domain modules whose zod schemas the workflows use (ballot, incident,
 * incident-act, the playbooks' inputs; each builds them on first use, domain/lazy-schema.ts,
 * so a run builds only what it checks): once preloaded, the SDK deep-freezes every
 * shared module (reusable-vm.js), schemas included, and zod's regex checks reset the
 * pattern's `lastIndex` before testing it, which a frozen RegExp refuses. With them preloaded,
 * test/workflows/incident-response.test.ts fails: every incident act is refused with "Cannot
 * assign to read only property 'lastIndex' of object '[object RegExp]'", and votes would
 * be too (ballotSchema). Nothing that imports a node: module may be preloaded either
 * (domain/dast.ts uses node:crypto): it must stay out of the bundle altogether.
 */
const SHARED_MODULES = [path.join(__dirname, '..', 'domain', 'ed25519-verify')];

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };

// The parent keeps stdin open until this process exits: when it closes first, the parent is
// gone, and nobody would read (or remove) the bundle.
process.stdin.on('end', () => process.exit(1)).resume();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);

import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter';

/**
 * The workflows bundle, built once per process and shared by every Worker in it. Workflow
 * code converts its own failures inside the sandbox, so the failure converter that moves
 * messages into (encryptable) payloads is bundled here; a Worker's dataConverter does not
 * reach a prebuilt bundle.
 */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows'), failureConverterPath: FAILURE_CONVERTER_PATH, preloadModules: SHARED_MODULES, logger: quietLogger });
}

/**
 * Evaluated once per worker and shared by every run, instead of once per run: the Ed25519
 * verifier holds no per-run state (constants, and a base-point table that is the same for
 * everyone), and rebuilding it made each vote's first verification cost tens of
 * milliseconds (bench/approval-latency). Our own module, not @noble/curves itself: noble
 * declares itself free of side effects, so webpack drops a bare preload of it.
 */
const SHARED_MODULES = [path.join(__dirname, '..', 'domain', 'ed25519-verify')];

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };

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
  return bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows'), failureConverterPath: FAILURE_CONVERTER_PATH, logger: quietLogger });
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };

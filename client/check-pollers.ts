import type { Client } from '@temporalio/client';
import type { CheckResult } from '../domain/preflight';
import type { Environment } from '../domain/environment';
import type { WorkerRole } from '../domain/task-queues';

/**
 * A worker shows up as a poller only once its first poll reaches the server, so a worker
 * that has just started gets `patienceMs` to appear before it is reported missing.
 */
export async function checkPollers(client: Client, env: Environment, taskQueue: string, role: WorkerRole, patienceMs = 5_000): Promise<CheckResult> {
  const check = `${role} worker`;
  const deadline = Date.now() + patienceMs;
  try {
    for (;;) {
      const response = await client.connection.workflowService.describeTaskQueue({
        namespace: env.TEMPORAL_NAMESPACE,
        taskQueue: { name: taskQueue },
        // Control workers poll for workflow tasks; scanner workers only for activity tasks.
        taskQueueType: role === 'control' ? 1 : 2,
      });
      const pollers = response.pollers ?? [];
      if (pollers.length > 0) return { check, status: 'ok', detail: `${pollers.length} poller(s) on ${taskQueue}` };
      if (Date.now() >= deadline) return { check, status: 'failed', detail: `no worker polls ${taskQueue}` };
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    return { check, status: 'failed', detail: (error as Error).message.split('\n')[0] ?? 'unknown error' };
  }
}

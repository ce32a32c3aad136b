import type Docker from 'dockerode';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { reapOrphanContainers, type ReapedContainer } from '../activities/scanners/reaper';

/**
 * On scanner-worker start: remove the deployment's scanner containers whose workflow run is
 * over (or gone). Those of runs still open are left to their activity's next attempt, which
 * replaces them. `client` must talk to the deployment's own Temporal server and namespace:
 * it is the judge of which runs are over, so it may only judge the deployment's containers.
 */
export function reapFinishedRuns(docker: Docker, client: Client, deployment: string): Promise<ReapedContainer[]> {
  return reapOrphanContainers(docker, deployment, async ({ workflowId, runId }) => {
    if (!workflowId) return false;
    try {
      const description = await client.workflow.getHandle(workflowId, runId || undefined).describe();
      return description.status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  });
}

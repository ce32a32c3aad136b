import type Docker from 'dockerode';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { reapOrphanContainers, type ReapedContainer } from '../activities/scanners/reaper';

/**
 * On scanner-worker start: remove scanner containers whose workflow run is over (or gone).
 * Those of runs still open are left to their activity's next attempt, which replaces them.
 */
export function reapFinishedRuns(docker: Docker, client: Client): Promise<ReapedContainer[]> {
  return reapOrphanContainers(docker, async ({ workflowId, runId }) => {
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

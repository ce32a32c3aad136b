import type Docker from 'dockerode';
import { isHeld } from '../containment/hold';
import { LABELS, type ScanRunIds } from './container-spec';

export interface ReapedContainer extends ScanRunIds {
  id: string;
  name: string;
  state: string;
}

/** Whether the run a container belongs to may still be using it (e.g. another worker runs it). */
export type RunActive = (ids: ScanRunIds) => Promise<boolean>;

/**
 * Removes scanner containers that a dead worker of `deployment` left behind: their activity
 * will be retried elsewhere, and a leftover scan keeps attacking its target. Only the
 * deployment's own containers are listed (a Docker label filter): whether a run is over can
 * only be asked of the deployment's own Temporal server, and to it another deployment's
 * runs look gone. Without `isRunActive`, every container of the deployment is taken as
 * orphaned: right for a single scanner worker per deployment, wrong when several share one.
 * A container an incident holds as evidence (containment/hold.ts) is never removed.
 */
export async function reapOrphanContainers(docker: Docker, deployment: string, isRunActive?: RunActive): Promise<ReapedContainer[]> {
  // Label filters are ANDed by the engine.
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.managed}=true`, `${LABELS.deployment}=${deployment}`] },
  });
  const reaped: ReapedContainer[] = [];
  for (const info of containers) {
    if (info.Names.some(isHeld)) continue;
    const ids: ScanRunIds = {
      workflowId: info.Labels[LABELS.workflowId] ?? '',
      runId: info.Labels[LABELS.runId] ?? '',
      activityId: info.Labels[LABELS.activityId] ?? '',
    };
    if (isRunActive && (await isRunActive(ids))) continue;
    try {
      await docker.getContainer(info.Id).remove({ force: true });
    } catch (error) {
      // Removed meanwhile by its own run, or a removal already under way.
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 404 && status !== 409) throw error;
      continue;
    }
    reaped.push({ ...ids, id: info.Id, name: (info.Names[0] ?? info.Id).replace(/^\//, ''), state: info.State });
  }
  return reaped;
}

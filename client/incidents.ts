import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { incidentWorkflowId, type IncidentStatus, type IncidentView, type TimelineEvent } from '../domain/incident';
import type { Database } from '../store/database';
import { getIncident, incidentTimeline, listIncidents as storedIncidents, type StoredIncident } from '../store/incidents';
import { incidentQuery, timelineQuery } from '../workflows/incident-definitions';

export type { StoredIncident };

/** Newest first, from the store: closed incidents included unless `status` says otherwise. */
export function listIncidents(db: Database, filter: { status?: IncidentStatus; limit?: number } = {}): Promise<StoredIncident[]> {
  return storedIncidents(db, { ...(filter.status && { status: filter.status }), limit: filter.limit ?? 100 });
}

export interface IncidentDetails {
  view: IncidentView;
  timeline: TimelineEvent[];
  /** `run`: asked of the running workflow, current to the moment; `store`: its last saved record. */
  source: 'run' | 'store';
}

/**
 * An incident as it stands: asked of its run while that runs (the store trails it by an
 * activity), else the store's record and timeline. Undefined when neither knows the id.
 */
export async function showIncident(deps: { client: Client; db: Database }, incidentId: string): Promise<IncidentDetails | undefined> {
  const stored = await getIncident(deps.db, incidentId);
  // A run saves its incident in its first activity: a just-started one is not stored yet, and its workflow id follows from the incident's.
  const live = await runningIncident(deps.client, stored?.workflowId ?? incidentWorkflowId(incidentId), incidentId).catch((error: unknown) => {
    // A Query needs a worker to answer it: with none, the stored record (marked as such) beats no answer.
    if (stored) return undefined;
    throw error;
  });
  if (live) return live;
  if (!stored) return undefined;
  return { view: stored, timeline: await incidentTimeline(deps.db, incidentId), source: 'store' };
}

/** Long enough for a busy worker to answer; a person waiting on `incident show` is not kept waiting for one that is down. */
const QUERY_DEADLINE_MS = 10_000;

async function runningIncident(client: Client, workflowId: string, incidentId: string): Promise<IncidentDetails | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    if ((await handle.describe()).status.name !== 'RUNNING') return undefined;
    const [view, timeline] = await client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => Promise.all([handle.query(incidentQuery), handle.query(timelineQuery)]));
    // An alert group's workflow id is reused once its incident closes: the run there now may be a later incident of the same group.
    return view.id === incidentId ? { view, timeline, source: 'run' } : undefined;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

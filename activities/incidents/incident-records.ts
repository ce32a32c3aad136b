import type { IncidentView } from '../../domain/incident';
import { appendAuditEvent, type AuditOutcome } from '../../store/audit-events';
import type { Database } from '../../store/database';
import { appendTimelineEvents, saveIncident, type NumberedTimelineEvent } from '../../store/incidents';

export interface IncidentAuditInput {
  actor: string;
  /** The act's name (`assignRole`, `resolve` …); recorded as `incident.<action>`, the `incident` audit stream. */
  action: string;
  incidentId: string;
  outcome: AuditOutcome;
  details?: Record<string, unknown>;
  /** The signed act's signature and key id, kept beside the row the chain vouches for. */
  signature?: string;
  keyId?: string;
  idempotencyKey: string;
}

/** What the incident workflow records: every one idempotent, since Temporal retries activities. */
export function createIncidentRecordActivities(db: () => Database) {
  return {
    async saveIncident(input: { view: IncidentView; workflowId: string }): Promise<void> {
      await saveIncident(db(), { ...input.view, workflowId: input.workflowId });
    },

    /** How many of the events were new: a retry finds them stored and adds none. */
    async appendTimeline(input: { incidentId: string; events: NumberedTimelineEvent[] }): Promise<number> {
      return appendTimelineEvents(db(), input.incidentId, input.events);
    },

    async recordIncidentAudit(input: IncidentAuditInput): Promise<void> {
      await appendAuditEvent(db(), {
        actor: input.actor,
        action: `incident.${input.action}`,
        subject: input.incidentId,
        outcome: input.outcome,
        details: input.details ?? {},
        idempotencyKey: input.idempotencyKey,
        ...(input.signature !== undefined && { signature: input.signature }),
        ...(input.keyId !== undefined && { keyId: input.keyId }),
      });
    },
  };
}

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
    /** The incident's row, then its new timeline events (which need the row): one call per batch the workflow writes. */
    async persistIncident(input: { view: IncidentView; workflowId: string; events: NumberedTimelineEvent[] }): Promise<number> {
      await saveIncident(db(), { ...input.view, workflowId: input.workflowId });
      return input.events.length === 0 ? 0 : appendTimelineEvents(db(), input.view.id, input.events);
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

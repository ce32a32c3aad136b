import type { Database } from '../../store/database';
import { appendAuditEvent, type AuditEventInput } from '../../store/audit-events';

export function createAuditActivities(db: () => Database) {
  return {
    /** Idempotent by key: a retried write lands once. */
    async recordAuditEvent(event: AuditEventInput): Promise<void> {
      await appendAuditEvent(db(), event);
    },
  };
}

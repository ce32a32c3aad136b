import type Docker from 'dockerode';
import type { WebClient } from '@slack/web-api';
import type { Database } from '../store/database';
import { createAuditActivities } from './approvals/audit';
import { createContainmentActivities } from './containment';
import { createCompareActivities } from './findings/compare-scan';
import { createIncidentWorthyActivities } from './findings/incident-worthy';
import { createIngestActivities } from './findings/ingest-report';
import { createRetestActivities } from './findings/retest-outcome';
import { createScanRecordActivities } from './findings/scan-records';
import { createIncidentRecordActivities } from './incidents/incident-records';
import { createDockerChecks } from './preflight/docker';
import { createSlackChecks } from './preflight/slack';
import { createStoreChecks } from './preflight/store';
import { createReportActivities } from './reports/publish-reports';
import { createTargetAddressActivities } from './scanners/check-target-addresses';
import { createRunScannerActivities } from './scanners/run-scanner';
import { createApprovalMessageActivities } from './slack/approval-messages';
import { createIncidentSlackActivities } from './slack/incident-channel';
import { createNotifyActivities } from './slack/notify-scan';
import { createScanErrorNotifyActivities } from './slack/notify-scan-error';
import { createRotationNotifyActivities } from './slack/notify-rotation';
import { environmentProviders, type CredentialProviders } from './secrets/credential-providers';
import { createRotationActivities } from './secrets/rotation-steps';
import { createSlackGroupActivities } from './slack/slack-groups';

/** What activities touch; tests pass real local services or fakes of the same shape. */
export interface ActivityDeps {
  docker: Docker;
  store: { db: Database; url: string } | undefined;
  slack: WebClient | undefined;
  /** Where Slack messages go when a target names no channel of its own. */
  slackChannel?: string;
  /** A run's page in the Temporal UI, for links in messages. */
  runUrl?: (workflowId: string) => string | undefined;
  /** Secret stores and rotation targets; the environment's by default. */
  credentials?: CredentialProviders;
  /**
   * The Temporal service the worker polls (host:port): with the namespace and task queue it
   * names the deployment that owns the scanner containers. In-process workers sharing one
   * server (tests) may leave it out: their unique task queues already tell them apart.
   */
  temporalAddress?: string;
  /** Where incidents keep their evidence (`<dir>/<incident>/evidence/`): the config's artifactsDir/incidents. */
  incidentArtifactsDir?: string;
}

/** Beside the default artifactsDir (domain/config.ts) when a worker names none. */
const DEFAULT_INCIDENT_ARTIFACTS_DIR = '.secops/artifacts/incidents';

export function createActivities(deps: ActivityDeps) {
  // Activities that need the store fail with this when it is not configured; preflight says so too.
  const db = (): Database => {
    if (!deps.store) throw new Error('the store is not configured: set DATABASE_URL');
    return deps.store.db;
  };
  const runUrl = deps.runUrl ?? (() => undefined);
  return {
    ...createDockerChecks(deps.docker),
    ...createStoreChecks(deps.store),
    ...createSlackChecks(deps.slack),
    ...createTargetAddressActivities(),
    ...createScanRecordActivities(db),
    ...createRunScannerActivities(deps.docker, deps.temporalAddress ?? 'unnamed'),
    ...createIngestActivities(db),
    ...createCompareActivities(db),
    ...createRetestActivities(),
    ...createIncidentWorthyActivities(),
    ...createReportActivities(),
    ...createNotifyActivities(deps.slack, deps.slackChannel, runUrl),
    ...createScanErrorNotifyActivities(deps.slack, deps.slackChannel, runUrl),
    ...createAuditActivities(db),
    ...createSlackGroupActivities(deps.slack),
    ...createApprovalMessageActivities(deps.slack, deps.slackChannel, runUrl),
    ...createRotationActivities(deps.credentials ?? environmentProviders),
    ...createRotationNotifyActivities(deps.slack, deps.slackChannel),
    ...createContainmentActivities({ docker: deps.docker, artifactRoot: deps.incidentArtifactsDir ?? DEFAULT_INCIDENT_ARTIFACTS_DIR }),
    ...createIncidentRecordActivities(db),
    ...createIncidentSlackActivities(deps.slack, deps.slackChannel),
  };
}

export type Activities = ReturnType<typeof createActivities>;

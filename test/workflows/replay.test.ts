import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../../worker/workflow-bundle';
import { HISTORIES_DIR, workflowIdOf } from '../support/histories';

/**
 * Every recorded history, what it stands for, and what it must show. A deleted or
 * re-recorded file that no longer covers its scenario fails here, not silently.
 * `shows`: event types (without EVENT_TYPE_), `activity:<name>` for activities and local
 * activities the run scheduled, and `patch:<id>` for the patches it recorded.
 */
const RECORDED = [
  { file: 'dast%3Ademo-e2e%3Asecond.json', workflowType: 'dastScan', scenario: 'a real scan compared with the previous one', shows: ['activity:runScanner', 'activity:compareWithBaseline', 'WORKFLOW_EXECUTION_COMPLETED'] },
  { file: 'dast%3Agated%3Aapproved.json', workflowType: 'dastScan', scenario: 'an active scan approved through the gate', shows: ['WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'activity:runScanner', 'WORKFLOW_EXECUTION_COMPLETED'] },
  { file: 'dast%3Agated%3Aapproved-signed.json', workflowType: 'dastScan', scenario: 'an active scan approved by a signed ballot, its approval id carrying the run id and the vote audited before it counted', shows: ['patch:approval-id-per-run', 'patch:ballot-audited-before-counted', 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'activity:recordAuditEvent', 'activity:runScanner', 'WORKFLOW_EXECUTION_COMPLETED'] },
  { file: 'dast%3Acoverage-e2e%3Anext-release.json', workflowType: 'dastScan', scenario: 'a real scan of the next release diffed by what it covered (a fix, a route gone: not re-tested)', shows: ['activity:runScanner', 'activity:compareWithBaseline', 'activity:notifyScan', 'WORKFLOW_EXECUTION_COMPLETED'] },
  { file: 'dast%3Acoverage-e2e%3Aunreachable.json', workflowType: 'dastScan', scenario: 'a real scan of a target that did not answer: failed as reaching nothing, recorded, the channel told, nothing diffed', shows: ['patch:coverage-gate', 'activity:runScanner', 'activity:recordScanFailed', 'activity:notifyScanError', 'WORKFLOW_EXECUTION_FAILED'] },
  { file: 'dast%3Apaging%3Afirst.json', workflowType: 'dastScan', scenario: 'a real scan of a target with incidentOn: high, its new high findings each opening an exposed-vulnerability incident (an abandoned child)', shows: ['patch:finding-incidents', 'activity:incidentWorthyFindings', 'START_CHILD_WORKFLOW_EXECUTION_INITIATED', 'CHILD_WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_EXECUTION_COMPLETED'] },
  { file: 'dast%3Ademo%3Acancelled.json', workflowType: 'dastScan', scenario: 'cancelled while the scanner runs', shows: ['WORKFLOW_EXECUTION_CANCEL_REQUESTED', 'ACTIVITY_TASK_CANCEL_REQUESTED', 'activity:recordScanFailed', 'WORKFLOW_EXECUTION_CANCELED'] },
  { file: 'preflight%3A2026-11-23T15%3A50%3A29.005Z.json', workflowType: 'preflight', scenario: 'the preflight checks', shows: ['WORKFLOW_EXECUTION_COMPLETED'] },
  { file: 'rotate%3Abusy.json', workflowType: 'credentialRotation', scenario: 'a promotion approved by vote, then the grace period and revoke', shows: ['WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'activity:promoteCredential', 'TIMER_FIRED', 'activity:revokePreviousCredential', 'WORKFLOW_EXECUTION_COMPLETED'] },
  { file: 'rotate%3Afail-apply.json', workflowType: 'credentialRotation', scenario: 'rolled back after apply failed', shows: ['ACTIVITY_TASK_FAILED', 'activity:restoreCurrentCredential', 'activity:discardPendingCredential', 'WORKFLOW_EXECUTION_FAILED'] },
  { file: 'rotate%3Afail-verify.json', workflowType: 'credentialRotation', scenario: 'rolled back after verify failed', shows: ['ACTIVITY_TASK_FAILED', 'activity:restoreCurrentCredential', 'activity:discardPendingCredential', 'WORKFLOW_EXECUTION_FAILED'] },
  { file: 'rotate%3Afail-promote.json', workflowType: 'credentialRotation', scenario: 'rolled back after promote failed', shows: ['ACTIVITY_TASK_FAILED', 'activity:restoreCurrentCredential', 'activity:discardPendingCredential', 'WORKFLOW_EXECUTION_FAILED'] },
  { file: 'rotate%3Apromotion-expires.json', workflowType: 'credentialRotation', scenario: 'a promotion approval escalated, expired and rolled back', shows: ['activity:postApprovalRequest', 'TIMER_FIRED', 'activity:postApprovalEscalation', 'activity:restoreCurrentCredential', 'WORKFLOW_EXECUTION_FAILED'] },
  { file: 'rotate%3Arestore-fails.json', workflowType: 'credentialRotation', scenario: 'restoring CURRENT failed: PENDING kept, a rotation.recover approval retried the restore, which failed, then one that worked', shows: ['patch:rotation-keeps-pending-when-restore-fails', 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', 'activity:postApprovalRequest', 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'activity:restoreCurrentCredential', 'activity:discardPendingCredential', 'WORKFLOW_EXECUTION_FAILED'] },
  { file: 'rotate%3Aalternating.json', workflowType: 'credentialRotation', scenario: 'alternating users: the previous user revoked after the grace period', shows: ['patch:rotation-alternating-revokes-previous', 'TIMER_FIRED', 'activity:revokePreviousCredential', 'WORKFLOW_EXECUTION_COMPLETED'] },
  { file: 'incident%3Ainc-20261130-drill-1.json', workflowType: 'incidentResponse', scenario: 'a drill incident: status-update reminders at its cadence, a snooze, command handed over by a signed act, resolved by the new commander', shows: ['TIMER_FIRED', 'activity:remindCommander', 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'activity:recordIncidentAudit', 'activity:persistIncident', 'WORKFLOW_EXECUTION_COMPLETED'] },
  { file: 'incident%3Ainc-20261130-drill-2.json', workflowType: 'incidentResponse', scenario: 'a drill incident waiting on its approval: a note, an acknowledgement, a milestone edited with a reason, resolved', shows: ['activity:postApprovalRequest', 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'activity:recordIncidentAudit', 'activity:persistIncident', 'WORKFLOW_EXECUTION_COMPLETED'] },
  { file: 'rotate-schedule%3Abusy.json', workflowType: 'scheduledRotation', scenario: 'skipped because a rotation was running', shows: ['START_CHILD_WORKFLOW_EXECUTION_FAILED', 'WORKFLOW_EXECUTION_COMPLETED'] },
];

interface HistoryJson {
  events: ({ eventType: string } & Record<string, unknown>)[];
}

const read = (file: string) => JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) as HistoryJson;

/** What a history shows: its event types, and the activities and local activities it scheduled. */
function signature(history: HistoryJson): Set<string> {
  const shown = new Set<string>();
  for (const event of history.events) {
    shown.add(event.eventType.replace(/^EVENT_TYPE_/, ''));
    const scheduled = event.activityTaskScheduledEventAttributes as { activityType: { name: string } } | undefined;
    if (scheduled) shown.add(`activity:${scheduled.activityType.name}`);
    const marker = event.markerRecordedEventAttributes as { markerName: string; details: { data?: { payloads: { data: string }[] } } } | undefined;
    const local = marker?.markerName === 'core_local_activity' ? marker.details.data?.payloads[0]?.data : undefined;
    if (local) shown.add(`activity:${(JSON.parse(Buffer.from(local, 'base64').toString('utf8')) as { activity_type: string }).activity_type}`);
    const patch = marker?.markerName === 'core_patch' ? (marker.details as { 'patch-data'?: { payloads: { data: string }[] } })['patch-data']?.payloads[0]?.data : undefined;
    if (patch) shown.add(`patch:${(JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as { id: string }).id}`);
  }
  return shown;
}

async function replay(bundle: WorkflowBundleWithSourceMap, histories: { workflowId: string; history: HistoryJson }[]) {
  const results = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories.map((h) => ({ workflowId: h.workflowId, history: historyFromJSON(h.history) })))) results.push(result);
  return results;
}

describe('recorded histories replay against the current workflow code', () => {
  let bundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  it('holds exactly the expected histories', () => {
    expect(readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort()).toEqual(RECORDED.map((r) => r.file).sort());
  });

  it.each(RECORDED)('$file is $workflowType: $scenario', ({ file, workflowType, shows }) => {
    const history = read(file);
    expect((history.events[0]?.workflowExecutionStartedEventAttributes as { workflowType: { name: string } }).workflowType.name).toBe(workflowType);
    expect(shows.filter((s) => !signature(history).has(s))).toEqual([]);
  });

  it('replays every one without non-determinism', async () => {
    const results = await replay(bundle, RECORDED.map(({ file }) => ({ workflowId: workflowIdOf(file), history: read(file) })));
    expect(results.map((r) => [r.workflowId, r.error?.message ?? 'ok'])).toEqual(RECORDED.map(({ file }) => [workflowIdOf(file), 'ok']));
  });

  it('reports a history whose recorded steps differ from what the code does (negative control)', async () => {
    const history = read('rotate%3Afail-verify.json');
    const apply = history.events.find((e) => (e.activityTaskScheduledEventAttributes as { activityType: { name: string } } | undefined)?.activityType.name === 'applyPendingCredential');
    (apply!.activityTaskScheduledEventAttributes as { activityType: { name: string } }).activityType.name = 'applyCredentialV0';
    const [result] = await replay(bundle, [{ workflowId: 'rotate:fail-verify', history }]);
    expect(result?.error).toBeInstanceOf(DeterminismViolationError);
    expect(result?.error?.message).toMatch(/applyCredentialV0/);
  });
});

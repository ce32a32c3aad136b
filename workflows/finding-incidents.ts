import { ParentClosePolicy, startChild, workflowInfo, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DastScanInput, DastScanResult, FindingIncidents } from '../domain/dast';
import { failureMessage } from '../domain/failure-message';
import { findingIncidentTitle, incidentSeverityOf, retestScanOf } from '../domain/finding-incident';
import { incidentIdOf, incidentWorkflowId } from '../domain/incident';
import type { IncidentInput } from './incident-response';
import type { ExposedVulnerabilityPrepared } from './playbooks/exposed-vulnerability';

/**
 * A scan's new findings at or above the target's `incidentOn` each open an
 * `exposed-vulnerability` incident with the target's owners on it. The incidents outlive the
 * scan (abandoned children): a fix is re-tested by a scan of their own, which opens none.
 */
export async function openFindingIncidents(scan: DastScanInput, rule: FindingIncidents, result: DastScanResult, control: ActivityInterfaceFor<Activities>): Promise<NonNullable<DastScanResult['incidents']>> {
  const { findings, more } = await control.incidentWorthyFindings({ scanReportPath: result.reports.json, atLeast: rule.atLeast });
  const prepared: ExposedVulnerabilityPrepared = { retest: retestScanOf(scan) };
  // The run id keeps two scans of one day apart when the same finding is new in both (fixed, then back).
  const runTag = workflowInfo().runId.replace(/[^0-9a-f]/g, '').slice(0, 4);
  const opened: string[] = [];
  const failed: { fingerprint: string; reason: string }[] = [];
  for (const finding of findings) {
    const title = findingIncidentTitle(finding, scan.target.id);
    const incidentId = incidentIdOf(title, new Date(), `${finding.fingerprint.slice(0, 5)}${runTag}`);
    const input: IncidentInput = {
      incidentId,
      title,
      playbook: 'exposed-vulnerability',
      playbookInput: { target: scan.target.id, fingerprint: finding.fingerprint },
      severity: incidentSeverityOf(finding.severity),
      trigger: { kind: 'dast', by: result.scanId, at: new Date().toISOString() },
      participants: rule.participants,
      signers: rule.signers,
      approvals: {},
      prepared,
    };
    try {
      // By name: incidentResponse's playbooks run dastScan, so importing it here would be a cycle.
      await startChild('incidentResponse', { workflowId: incidentWorkflowId(incidentId), taskQueue: scan.taskQueues.control, args: [input], parentClosePolicy: ParentClosePolicy.ABANDON });
      opened.push(incidentId);
    } catch (error) {
      // The scan itself succeeded and stays so; the finding is in its report, and the result says what did not open.
      failed.push({ fingerprint: finding.fingerprint, reason: failureMessage(error) });
    }
  }
  return { opened, more, ...(failed.length > 0 && { failed }) };
}

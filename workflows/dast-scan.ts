import { ApplicationFailure, CancellationScope, isCancellation, patched, proxyActivities, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ACTIVE_SCAN_ACTION } from '../domain/action-kinds';
import type { DastScanInput, DastScanResult } from '../domain/dast';
import { failureMessage } from '../domain/failure-message';
import { isActiveProfile } from '../domain/scan-profiles';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { apiSpecUrl, targetProblems } from '../domain/target-scope';
import { requestApproval } from './approval';

/** Runs started before the apiSpec host was resolved and checked go on without that step. */
const API_SPEC_DNS_CHECK = 'api-spec-dns-check';

/**
 * One DAST scan of one target: validate scope → (approval for active profiles) → run the
 * scanner container → ingest its report → diff against the last scan → reports → notify.
 * The workflow id is the scan id; findings stay in the store and on disk, never in history.
 */
export async function dastScan(input: DastScanInput): Promise<DastScanResult> {
  const { target } = input;
  const scanId = workflowInfo().workflowId;
  // The control steps are short and idempotent and run where the workflow runs: local
  // activities, which skip two server round trips each (see bench/scan-overhead).
  const control = proxyLocalActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: { maximumAttempts: 5 } });
  const scanners = proxyActivities<Activities>({
    taskQueue: input.taskQueues.scanners,
    startToCloseTimeout: `${target.maxScanMinutes + 10} minutes`,
    // A scanner worker that dies stops heartbeating; the scan restarts on another one.
    heartbeatTimeout: '10 seconds',
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['ScannerImageMissing'] },
  });

  const problems = targetProblems(target);
  // The scanner activity resolves and checks again right before its container, and pins what it checked.
  const addressRules = { allowLinkLocal: target.scope?.allowLinkLocal ?? false, scopeHosts: target.scope?.hosts ?? [] };
  if (problems.length === 0) problems.push(...(await control.checkTargetAddresses({ url: target.url, ...addressRules })));
  // The scanner fetches an apiSpec URL too: its host name may resolve somewhere forbidden as well.
  const specUrl = apiSpecUrl(target);
  if (problems.length === 0 && specUrl && patched(API_SPEC_DNS_CHECK)) {
    problems.push(...(await control.checkTargetAddresses({ url: specUrl, ...addressRules })).map((problem) => `apiSpec: ${problem}`));
  }
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(`target ${target.id} refused: ${problems.join('; ')}`, 'TargetRefused');

  if (isActiveProfile(target.profile)) {
    if (!input.activeScanPolicy) throw ApplicationFailure.nonRetryable(`the ${target.profile} profile needs an approvals."${ACTIVE_SCAN_ACTION}" policy`, 'ApprovalPolicyMissing');
    const decision = await requestApproval({
      action: ACTIVE_SCAN_ACTION,
      summary: `Active ${target.profile} scan of ${target.id} (${target.url}) with ${target.engine}`,
      details: `Sends attack payloads to ${target.url}. Scope: ${target.scope?.hosts.join(', ') ?? new URL(target.url).hostname}. Max ${target.maxScanMinutes} min.`,
      risk: 'high',
      requestedBy: input.requestedBy,
    }, input.activeScanPolicy);
    if (!decision.approved) throw ApplicationFailure.nonRetryable(`active scan of ${target.id} not approved: ${decision.reason}`, 'NotApproved');
  }

  await control.recordScanStarted({ scanId, targetId: target.id, engine: target.engine, profile: target.profile, startedAt: new Date().toISOString() });
  const reportDir = `${input.artifactsDir}/${target.id}/${scanId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  try {
    const run = await scanners.runScanner({ scanId, target, image: input.images[target.engine], reportDir });
    const ingested = await control.ingestReport({ scanId, engine: target.engine, reportPath: run.reportPath });
    const compared = await control.compareWithBaseline({ scanId, target, reportDir });
    const reports = await control.publishReports({ scanReportPath: compared.scanReportPath });
    await control.notifyScan({ scanReportPath: compared.scanReportPath, htmlReportPath: reports.html, channel: target.channel });
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.verdict, value: compared.verdict }]);
    return { scanId, targetId: target.id, verdict: compared.verdict, counts: compared.counts, diff: compared.diff, findings: ingested.findings, reports };
  } catch (error) {
    // Recorded even when the scan was cancelled: the store must not show it as running.
    const reason = isCancellation(error) ? 'cancelled' : failureMessage(error);
    await CancellationScope.nonCancellable(() => control.recordScanFailed({ scanId, error: reason }));
    throw error;
  }
}

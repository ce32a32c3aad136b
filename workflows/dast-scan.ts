import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, patched, proxyActivities, proxyLocalActivities, workflowInfo, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ACTIVE_SCAN_ACTION } from '../domain/action-kinds';
import type { DastScanInput, DastScanResult } from '../domain/dast';
import { failureMessage } from '../domain/failure-message';
import { isActiveProfile } from '../domain/scan-profiles';
import { scanReportDir } from '../domain/scan-report-dir';
import { apiSpecUrl, targetProblems } from '../domain/target-scope';
import { requestApproval } from './approval';
import { diffAndReport } from './diff-and-report';
import { openFindingIncidents } from './finding-incidents';

/** Runs started before the apiSpec host was resolved and checked go on without that step. */
const API_SPEC_DNS_CHECK = 'api-spec-dns-check';
/**
 * Runs started before scans were judged by what they covered go on as they did: a scan that
 * reached nothing was diffed like any other, and no error notice went to Slack.
 */
const COVERAGE_GATE = 'coverage-gate';
/** Failures that mean the scan proved nothing: the target's channel is told why. */
const NOTICE_WORTHY = ['NothingScanned', 'ScanTimedOut'];
/** Runs started before scans opened incidents for new findings (target `incidentOn`) finish without that step. */
const FINDING_INCIDENTS = 'finding-incidents';

/**
 * One DAST scan of one target: validate scope → (approval for active profiles) → run the
 * scanner container → ingest its report → diff against the last scan → reports → notify →
 * an incident for each new finding the target says should page someone (`incidentOn`).
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
  const result = await scanAndReport(input, scanId, control, scanners);
  // A new finding at or above the target's incidentOn opens an incident with its owners on it.
  if (input.findingIncidents && result.diff.new > 0 && patched(FINDING_INCIDENTS)) {
    return { ...result, incidents: await openFindingIncidents(input, input.findingIncidents, result, control) };
  }
  return result;
}

/**
 * The scan proper: the container, its findings, the diff by what it covered, the reports.
 * A failure is recorded; one that means the scan proved nothing is told to the channel.
 */
async function scanAndReport(input: DastScanInput, scanId: string, control: ActivityInterfaceFor<Activities>, scanners: ActivityInterfaceFor<Activities>): Promise<DastScanResult> {
  const { target } = input;
  const reportDir = scanReportDir(input.artifactsDir, target.id, scanId);
  let coveragePath: string | undefined;
  try {
    const run = await scanners.runScanner({ scanId, target, image: input.images[target.engine], reportDir });
    coveragePath = run.coveragePath;
    // Target down, every request failed, nothing crawled or attacked: an error, never a PASS,
    // and no finding changes on its evidence.
    if (run.nothingReached && patched(COVERAGE_GATE)) throw ApplicationFailure.nonRetryable(`scan of ${target.id} reached nothing to scan: ${run.nothingReached}`, 'NothingScanned');
    const ingested = await control.ingestReport({ scanId, engine: target.engine, reportPath: run.reportPath });
    return await diffAndReport(control, { scanId, target, reportDir, coveragePath, findings: ingested.findings });
  } catch (error) {
    // Recorded even when the scan was cancelled: the store must not show it as running.
    const reason = isCancellation(error) ? 'cancelled' : failureMessage(error);
    await CancellationScope.nonCancellable(() => control.recordScanFailed({ scanId, error: reason, coveragePath }));
    // The notice must not replace the failure it reports, should Slack refuse it.
    if (NOTICE_WORTHY.includes(failureType(error) ?? '') && patched(COVERAGE_GATE)) await control.notifyScanError({ scanId, target, reason }).catch(() => undefined);
    throw error;
  }
}

function failureType(error: unknown): string | undefined {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  return failure instanceof ApplicationFailure ? failure.type ?? undefined : undefined;
}

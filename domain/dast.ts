import { createHash } from 'node:crypto';
import type { ApprovalPolicy } from './approval';
import { gatePolicyOf, type Principal } from './approval-rules';
import type { SignerKeys } from './ballot';
import { ACTIVE_SCAN_ACTION } from './action-kinds';
import type { Config, Target } from './config';
import type { IncidentOn, SeverityCounts } from './finding';
import { incidentSigners } from './incident-routes';
import type { ScanReport } from './scan-report';
import { ownerPrincipals } from './target-owners';
import type { TaskQueueNames } from './task-queues';

/**
 * What a scan needs from the config to open `exposed-vulnerability` incidents itself
 * (workflows cannot read the config): the threshold, who may act on them (the target's
 * owners), and whose signatures the incident trusts.
 */
export interface FindingIncidents {
  atLeast: IncidentOn;
  participants: Principal[];
  signers: SignerKeys;
}

/** The input of the `dastScan` workflow: everything it needs, nothing secret. */
export interface DastScanInput {
  /** A snapshot of the target from the config, taken when the run was started or scheduled. */
  target: Target;
  images: { zap: string; wapiti: string };
  taskQueues: TaskQueueNames;
  artifactsDir: string;
  /** `schedule`, `cli:<user>`, `slack:<user id>`. */
  requestedBy: Principal | 'schedule';
  /** Who approves an active scan (config `approvals."dast.active-scan"`); none → active scans are refused. */
  activeScanPolicy?: ApprovalPolicy;
  /** Set when the target has `incidentOn`: new findings at or above it open incidents. */
  findingIncidents?: FindingIncidents;
}

export interface DastScanResult {
  scanId: string;
  targetId: string;
  verdict: ScanReport['verdict'];
  counts: SeverityCounts;
  diff: ScanReport['diff'];
  findings: number;
  reports: { json: string; sarif: string; markdown: string; html: string };
  /** The incidents this scan opened for its new findings (target `incidentOn`), how many more it would have opened, and any it could not. */
  incidents?: { opened: string[]; more: number; failed?: { fingerprint: string; reason: string }[] };
}

export function dastScanInput(config: Config, target: Target, requestedBy: Principal | 'schedule'): DastScanInput {
  const activeScanPolicy = gatePolicyOf(config, ACTIVE_SCAN_ACTION);
  const findingIncidents: FindingIncidents | undefined = target.incidentOn && { atLeast: target.incidentOn, participants: ownerPrincipals(target.owners), signers: incidentSigners(config) };
  return {
    target, images: config.scanners.images, taskQueues: config.taskQueues, artifactsDir: config.artifactsDir, requestedBy,
    ...(activeScanPolicy && { activeScanPolicy }), ...(findingIncidents && { findingIncidents }),
  };
}

/** Schedules are named after their target; a scheduled run's id is this plus Temporal's `-<time>`. */
export function dastScheduleId(targetId: string): string {
  return `dast:${targetId}`;
}

/** An on-demand run: `dast:<target>:<start time>` (milliseconds: two starts in one second stay distinct). */
export function dastWorkflowId(targetId: string, at: Date): string {
  return `dast:${targetId}:${at.toISOString()}`;
}

/** Changes whenever what a schedule would start changes, so sync can skip the rest. */
export function scheduleHash(input: object): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 16);
}

export function findTarget(config: Config, targetId: string): Target | undefined {
  return config.targets.find((t) => t.id === targetId);
}

import { ACTIVE_SCAN_ACTION } from './action-kinds';

/**
 * The scan profiles every front end offers and the config accepts. `baseline` only looks
 * (spider + passive rules); the others send attack payloads to the target.
 */
export const SCAN_PROFILES = ['baseline', 'full', 'api'] as const;
export type ScanProfile = (typeof SCAN_PROFILES)[number];

/** `baseline, full or api`, for usage lines and error messages. */
export const SCAN_PROFILE_CHOICES = `${SCAN_PROFILES.slice(0, -1).join(', ')} or ${SCAN_PROFILES[SCAN_PROFILES.length - 1]}`;

export function isScanProfile(value: string): value is ScanProfile {
  return (SCAN_PROFILES as readonly string[]).includes(value);
}

/** An active profile attacks the target: someone an approval policy names must say yes first. */
export function isActiveProfile(profile: ScanProfile): boolean {
  return profile !== 'baseline';
}

/**
 * Why a scan with this profile may not start under these approval policies (config
 * `approvals`), or undefined when it may: an active scan never starts without a policy
 * saying who approves it. The config check and every front end ask this before anything starts.
 */
export function activeScanPolicyProblem(profile: ScanProfile, approvals: Readonly<Record<string, unknown>>): string | undefined {
  if (!isActiveProfile(profile) || approvals[ACTIVE_SCAN_ACTION] !== undefined) return undefined;
  return `the ${profile} profile scans actively and needs an approvals."${ACTIVE_SCAN_ACTION}" policy`;
}

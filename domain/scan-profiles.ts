import { ACTIVE_SCAN_ACTION } from './action-kinds';

/**
 * The scan profiles every front end offers and the config accepts.
 * - baseline: for an unattended weekly run. ZAP only looks (spider + passive rules).
 *   Wapiti has no passive mode: its baseline runs the in-band checks
 *   (activities/scanners/wapiti-modules.ts), which DO send attack payloads through links
 *   and forms — a quote, a script tag, `;env;`, `../../etc/passwd` — each judged by the
 *   answer it gets. Left out: payloads meant to be stored and found later, brute force,
 *   blind time-based SQL, outside services. Still, a form that saves what it receives saves
 *   the probes, and a command-injectable page runs exec's `sleep 60`: scan staging.
 * - full, api: all of that too, and what is slow or meant to leave traces (ZAP's active
 *   scan; Wapiti's blind SQL, stored XSS, XXE, backup-file guessing…).
 */
export const SCAN_PROFILES = ['baseline', 'full', 'api'] as const;
export type ScanProfile = (typeof SCAN_PROFILES)[number];

/** `baseline, full or api`, for usage lines and error messages. */
export const SCAN_PROFILE_CHOICES = `${SCAN_PROFILES.slice(0, -1).join(', ')} or ${SCAN_PROFILES[SCAN_PROFILES.length - 1]}`;

export function isScanProfile(value: string): value is ScanProfile {
  return (SCAN_PROFILES as readonly string[]).includes(value);
}

/**
 * An active profile attacks the target: someone an approval policy names must say yes first.
 * Baseline is not one, Wapiti's included although it sends probes (above): the gate guards
 * what is slow or meant to leave traces. Rules of engagement that count any payload as an
 * attack should scan unattended with ZAP's baseline only, and Wapiti with `full`, which
 * waits for an approval.
 */
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

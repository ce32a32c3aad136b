/** Action kinds that approval policies are keyed by (config `approvals`). */
export const ACTIVE_SCAN_ACTION = 'dast.active-scan';
/** Promoting a verified new credential (credentialRotation). */
export const PROMOTE_ACTION = 'rotation.promote';

/** One id per credential, so two rotations of it cannot run at once. */
export function rotationWorkflowId(credentialId: string): string {
  return `rotate:${credentialId}`;
}

import type { Principal } from './approval-rules';

/**
 * A target's owners who can act on its incidents: Slack users (U…/W…) and CLI users
 * (cli:<name>). A Slack user group cannot sign, and other entries are labels.
 */
export function ownerPrincipals(owners: readonly string[]): Principal[] {
  return owners.flatMap((owner): Principal[] => {
    if (/^[UW][A-Z0-9]{2,20}$/.test(owner)) return [`slack:${owner}`];
    if (owner.startsWith('cli:')) return [owner as Principal];
    return [];
  });
}

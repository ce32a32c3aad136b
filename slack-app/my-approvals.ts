import type { Client } from '@temporalio/client';
import { pendingApprovals } from '../cli/approvals';
import type { PendingApproval, Principal } from '../domain/approval';

/** Pending approvals this Slack user may still vote on: named (or in a named group) and not yet voted. */
export async function myPendingApprovals(client: Client, user: string): Promise<PendingApproval[]> {
  const me: Principal = `slack:${user}`;
  return (await pendingApprovals(client)).filter((a) => a.allowed.includes(me) && !a.approvals.includes(me));
}

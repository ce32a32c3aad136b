import { userInfo } from 'node:os';
import type { PendingApproval, Principal } from '../domain/approval';
import type { Environment } from '../domain/environment';
import { mayStillVote } from '../domain/approval';
import { renderTable } from '../render/terminal/table';

/** The CLI's identity: SECOPS_USER, else the OS user. Temporal's own access control guards who may run it. */
export function cliPrincipal(env: Environment): Principal {
  return `cli:${env.SECOPS_USER ?? userInfo().username}`;
}

export function approvalsTable(approvals: PendingApproval[], me: Principal): string {
  if (approvals.length === 0) return 'no pending approvals';
  return renderTable(
    ['approval', 'action', 'summary', 'risk', 'requested by', 'votes', 'expires', 'you may vote'],
    approvals.map((a) => [a.approvalId, a.action, a.summary, a.risk, a.requestedBy, `${a.approvals.length}/${a.quorum}`, a.expiresAt, mayStillVote(a, me) ? 'yes' : 'no']),
  );
}

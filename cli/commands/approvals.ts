import type { Command } from 'commander';
import { notAnApprovalId, workflowIdOfApproval } from '../../domain/approval-id';
import { BallotRefusedError, castBallot } from '../../client/cast-ballot';
import { myPendingApprovals, pendingApprovals } from '../../client/pending-approvals';
import { withStoreIfAny } from '../../client/store';
import { findStoreUrl } from '../../client/store-url';
import { mayStillVote, type PendingApproval, type Principal } from '../../domain/approval-rules';
import { ValidationError } from '../../domain/validation-error';
import { renderTable } from '../../render/terminal/table';
import { CLI_EXIT_CODES } from '../exit-codes';
import { cliPrincipal, cliSigner, settings, withClient } from '../settings';

/** `secops approvals list | approve | reject`: the same approval gate, rules and audit as the Slack buttons. */
export function registerApprovals(program: Command): void {
  const approvals = program.command('approvals').description('approve or reject what workflows wait on (the same rules as in Slack)');
  approvals
    .command('list')
    .description('pending approvals, and whether you may vote on each')
    .option('--mine', 'only those you may vote on')
    .action(async (options: { mine?: boolean }) => {
      const { env } = settings();
      await withClient(env, async (client) => {
        const me = cliPrincipal(env);
        console.log(approvalsTable(options.mine ? await myPendingApprovals(client, me) : await pendingApprovals(client), me));
      });
    });
  for (const vote of ['approve', 'reject'] as const) {
    approvals
      .command(`${vote} <approval>`)
      .description(vote === 'approve' ? 'vote yes on a pending approval (<workflow id>#<n>)' : 'vote no on a pending approval, saying why')
      .option('--reason <reason>', vote === 'reject' ? 'why (required)' : 'note for the audit trail')
      .action(async (approvalId: string, options: { reason?: string }) => {
        const { env } = settings();
        const signer = cliSigner(env);
        if (!workflowIdOfApproval(approvalId)) throw new ValidationError(`secops approvals ${vote}`, [{ path: '<approval>', message: notAnApprovalId(approvalId) }]);
        // A refused vote is audited in the store, when there is one (DATABASE_URL or a running `secops dev`).
        await withClient(env, (client) => withStoreIfAny(findStoreUrl(env), async (db) => {
          try {
            const outcome = await castBallot({ client, db, signer }, { approvalId, voter: cliPrincipal(env), vote, ...(options.reason && { reason: options.reason }) });
            console.log('approved' in outcome ? `${approvalId}: ${outcome.approved ? 'APPROVED' : 'REJECTED'} (${outcome.reason})` : `${approvalId}: vote recorded, ${outcome.approvals.length} of ${outcome.quorum} approvals`);
          } catch (error) {
            if (!(error instanceof BallotRefusedError)) throw error;
            console.error(`error: refused: ${error.message}`);
            process.exitCode = CLI_EXIT_CODES.failed;
          }
        }));
      });
  }
}

function approvalsTable(approvals: PendingApproval[], me: Principal): string {
  if (approvals.length === 0) return 'no pending approvals';
  return renderTable(
    ['approval', 'action', 'summary', 'risk', 'requested by', 'votes', 'expires', 'you may vote'],
    approvals.map((a) => [a.approvalId, a.action, a.summary, a.risk, a.requestedBy, `${a.approvals.length}/${a.quorum}`, a.expiresAt, mayStillVote(a, me) ? 'yes' : 'no']),
  );
}

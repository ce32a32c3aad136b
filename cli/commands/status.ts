import type { Command } from 'commander';
import { workflowStatus } from '../../client/workflow-status';
import { runUrl } from '../../domain/run-url';
import { ValidationError } from '../../domain/validation-error';
import type { RunStatus } from '../../render/slack/run-status';
import { cliPrincipal, settings, withClient } from '../settings';
import { authorize } from '../../client/authorize';

/** `secops status <workflow id>`, as `/secops status` in Slack. */
export function registerStatus(program: Command): void {
  program
    .command('status <workflowId>')
    .description('where a run stands: its status; a finished scan\'s verdict and counts; a failure\'s reason')
    .action(async (workflowId: string) => {
      const { env, config } = settings();
      await authorize({ config }, { who: cliPrincipal(env) }, 'run.status', workflowId);
      await withClient(env, async (client) => {
        const run = await workflowStatus(client, workflowId);
        if (!run) throw new ValidationError('secops status', [{ path: '<workflowId>', message: `no run ${workflowId} in namespace ${env.TEMPORAL_NAMESPACE}` }]);
        const ui = runUrl(env, workflowId);
        console.log([...statusLines(run), ...(ui ? [`Temporal UI: ${ui}`] : [])].join('\n'));
      });
    });
}

function statusLines(run: RunStatus): string[] {
  const lines = [
    `${run.workflowId} (${run.workflowType}): ${run.status.toLowerCase()}`,
    `started ${run.startedAt}${run.closedAt ? `, closed ${run.closedAt}` : ''}`,
  ];
  if (run.scan) {
    const { verdict, counts: c, diff: d } = run.scan;
    lines.push(`verdict ${verdict.toUpperCase()} · critical ${c.critical} · high ${c.high} · medium ${c.medium} · low ${c.low} · info ${c.info}`);
    // Not re-tested findings stay open: a scan that could not reach them says so rather than calling them fixed.
    lines.push(`${d.new} new, ${d.fixed} fixed, ${d.persisting} persisting, ${d.suppressed} suppressed${d.notRetested ? `, ${d.notRetested} not re-tested` : ''}`);
  }
  if (run.failure) lines.push(`failure: ${run.failure}`);
  return lines;
}

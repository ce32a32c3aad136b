import type { Command } from 'commander';
import { actOnSchedule } from '../../client/schedule-action';
import { listSchedules, syncSchedules } from '../../client/schedules';
import { renderTable } from '../../render/terminal/table';
import { cliPrincipal, knownTarget, settings, withClient } from '../settings';

/** `secops schedules sync | list | pause | unpause | trigger`: the deployment's Temporal Schedules. */
export function registerSchedules(program: Command): void {
  const schedules = program.command('schedules').description('Temporal Schedules of the DAST targets (dast:<target>) and credentials (rotate-schedule:<credential>)');
  schedules
    .command('sync')
    .description('create, update and delete schedules to match the config')
    .action(async () => {
      const { env, config } = settings();
      await withClient(env, async (client) => {
        const result = await syncSchedules(client, config);
        for (const [what, ids] of Object.entries(result)) if (ids.length > 0) console.log(`${what}: ${ids.join(', ')}`);
      });
    });
  schedules
    .command('list')
    .description('this deployment\'s schedules: state, next and last run')
    .action(async () => {
      const { env, config } = settings();
      await withClient(env, async (client) => {
        const rows = await listSchedules(client, config);
        console.log(renderTable(['schedule', 'state', 'next run', 'last run'], rows.map((r) => [r.scheduleId, r.paused ? 'paused' : 'active', r.nextRun?.toISOString() ?? '-', r.lastRun?.toISOString() ?? '-'])));
      });
    });
  const descriptions = { pause: 'pause a target\'s weekly scan', unpause: 'resume a paused target\'s weekly scan', trigger: 'start a target\'s scheduled scan now' };
  for (const action of ['pause', 'unpause', 'trigger'] as const) {
    schedules
      .command(`${action} <target>`)
      .description(descriptions[action])
      .action(async (targetId: string) => {
        const { env, config } = settings();
        knownTarget(config, targetId, `secops schedules ${action}`);
        await withClient(env, async (client) => {
          const scheduleId = await actOnSchedule(client, config, targetId, action, cliPrincipal(env));
          console.log(`${scheduleId}: ${action === 'trigger' ? 'triggered' : `${action}d`}`);
        });
      });
  }
}

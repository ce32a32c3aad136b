import type { Command } from 'commander';
import { listIncidents, showIncident } from '../../client/incidents';
import { withStore } from '../../client/store';
import { storeUrl } from '../../client/store-url';
import { incidentStatusSchema } from '../../domain/incident';
import { ValidationError } from '../../domain/validation-error';
import { incidentDetails, incidentsTable } from '../../render/terminal/incident';
import { settings, withClient } from '../settings';
import { checkedIncidentId } from '../incident-id';
import { registerIncidentActs } from './incident-acts';
import { registerIncidentStart } from './incident-start';

/** `secops incident start | list | show | <act>`: incidents from the terminal, with the same rules and audit as in Slack. */
export function registerIncident(program: Command): void {
  const incident = program.command('incident').description('open, follow and steer incidents (the same rules as in Slack)');
  registerIncidentStart(incident);
  incident
    .command('list')
    .description('incidents from the store, newest first')
    .option('--status <status>', 'only those with this status: active, stable or closed')
    .action(async (options: { status?: string }) => {
      const { env } = settings();
      const status = options.status === undefined ? undefined : incidentStatusSchema.safeParse(options.status);
      if (status && !status.success) throw new ValidationError('secops incident list', [{ path: '--status', message: status.error.issues[0]!.message }]);
      await withStore(storeUrl(env), async (db) => {
        console.log(incidentsTable(await listIncidents(db, { ...(status?.data && { status: status.data }) })));
      });
    });
  incident
    .command('show <incident>')
    .description('an incident\'s roles, milestones, open tasks and timeline: from its run while it runs, else from the store')
    .action(async (id: string) => {
      const { env } = settings();
      const incidentId = checkedIncidentId(id, 'secops incident show');
      await withClient(env, (client) => withStore(storeUrl(env), async (db) => {
        const details = await showIncident({ client, db }, incidentId);
        if (!details) throw new ValidationError('secops incident show', [{ path: '<incident>', message: `no incident ${incidentId}` }]);
        console.log(incidentDetails(details.view, details.timeline, details.source));
      }));
    });
  registerIncidentActs(incident);
}

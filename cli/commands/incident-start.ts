import type { Command } from 'commander';
import { authorize } from '../../client/authorize';
import { incidentInput, startIncident } from '../../client/start-incident';
import { withStoreIfAny } from '../../client/store';
import { findStoreUrl } from '../../client/store-url';
import { titleSchema } from '../../domain/alert';
import { severitySchema, type IncidentSeverity } from '../../domain/incident';
import { ValidationError, type InputProblem } from '../../domain/validation-error';
import { cliPrincipal, settings, withClient } from '../settings';

const COMMAND = 'secops incident start';

interface StartOptions {
  input: string;
  title?: string;
  severity?: string;
}

/**
 * `secops incident start <playbook> --input '<json>'`: opens an incident with the CLI user as
 * its commander. Everything is checked before Temporal is asked (playbook, input against its
 * schema, approval policies, title, severity), so bad input starts nothing; it prints the
 * incident id alone, for scripts.
 */
export function registerIncidentStart(incident: Command): void {
  incident
    .command('start <playbook>')
    .description('open an incident with a playbook, you as its commander; prints the incident id')
    .option('--input <json>', 'the playbook\'s input as JSON (its schema: secops playbooks show <playbook>)', '{}')
    .option('--title <title>', 'the incident\'s title (default: the playbook\'s)')
    .option('--severity <severity>', 'SEV1 … SEV4 (default: the playbook\'s)')
    .action(async (playbook: string, options: StartOptions) => {
      const { env, config } = settings();
      const me = cliPrincipal(env);
      const at = new Date();
      const { input, title, severity } = parsedOptions(options);
      const request = incidentInput(config, {
        playbook, input, ...(title && { title }), ...(severity && { severity }), trigger: { kind: 'cli', by: me, at: at.toISOString() }, commander: me,
      }, COMMAND, at);
      await withClient(env, (client) => withStoreIfAny(findStoreUrl(env), async (db) => {
        // A refusal is audited when there is a store to audit it in.
        await authorize({ config, ...(db && { db }) }, { who: me }, 'incident.start', playbook);
        const { incidentId } = await startIncident(client, config, request);
        console.log(incidentId);
      }));
    });
}

function parsedOptions(options: StartOptions): { input: unknown; title?: string; severity?: IncidentSeverity } {
  const problems: InputProblem[] = [];
  let input: unknown;
  try {
    input = JSON.parse(options.input);
  } catch (error) {
    problems.push({ path: '--input', message: `is not valid JSON (${(error as Error).message})` });
  }
  const title = options.title === undefined ? undefined : titleSchema.safeParse(options.title);
  if (title && !title.success) problems.push({ path: '--title', message: title.error.issues[0]!.message });
  const severity = options.severity === undefined ? undefined : severitySchema.safeParse(options.severity);
  if (severity && !severity.success) problems.push({ path: '--severity', message: severity.error.issues[0]!.message });
  if (problems.length > 0) throw new ValidationError(COMMAND, problems);
  return { input, ...(title?.data && { title: title.data }), ...(severity?.data && { severity: severity.data }) };
}

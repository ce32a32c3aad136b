import type { Command } from 'commander';
import { ActRefusedError, actOnIncident } from '../../client/incident-act';
import { withStore } from '../../client/store';
import { storeUrl } from '../../client/store-url';
import { ACT_ARGS, type ActArgs, type ActName } from '../../domain/incident-act';
import { MILESTONES, SNOOZES, type IncidentView } from '../../domain/incident';
import { ValidationError, formatPath } from '../../domain/validation-error';
import { CLI_EXIT_CODES } from '../exit-codes';
import { checkedIncidentId } from '../incident-id';
import { cliPrincipal, cliSigner, settings, withClient } from '../settings';

type Options = Record<string, string | boolean | undefined>;

interface ActCommand {
  /** Its usage after `secops incident`; `<incident>` comes first. */
  usage: string;
  act: ActName;
  description: string;
  options?: { flags: string; description: string; required?: boolean }[];
  /** The act's arguments from the positional arguments after `<incident>` and the options. */
  args(positional: string[], options: Options): Record<string, unknown>;
  /** How an act argument is named on the command line, where not `--<name>` or `<name>`. */
  names?: Record<string, string>;
  done: string;
}

/** Each act of domain/incident-act.ts as a subcommand: what Slack's buttons and modals do, from a terminal. */
const ACT_COMMANDS: ActCommand[] = [
  { usage: 'ack <incident>', act: 'acknowledge', description: 'acknowledge the incident: you are on it (dates the acknowledged milestone)', args: () => ({}), done: 'acknowledged' },
  {
    usage: 'note <incident> <text>', act: 'addTimelineEvent', description: 'add a note to the timeline; from the commander, it is the status update reminders ask for',
    options: [{ flags: '--at <time>', description: 'pin it at this earlier ISO 8601 UTC time (what happened when) instead of now' }],
    args: ([text], o) => ({ text, ...(o.at !== undefined && { at: o.at }) }), done: 'note added',
  },
  {
    usage: 'assign <incident> <role> <who>', act: 'assignRole', description: 'give a role (commander, scribe, liaison) to cli:<name> or slack:<user id>, or add them as a participant (participant)',
    args: ([role, to]) => ({ role, to }), names: { to: '<who>' }, done: 'role assigned',
  },
  {
    usage: 'severity <incident> <severity>', act: 'setSeverity', description: 'change the severity (SEV1 … SEV4), saying why (commander only)',
    options: [{ flags: '--reason <why>', description: 'why (required, audited)', required: true }],
    args: ([severity], o) => ({ severity, reason: o.reason }), done: 'severity changed',
  },
  {
    usage: 'status <incident> <status>', act: 'setStatus', description: 'mark the incident active or stable (commander only; `resolve` closes it)',
    args: ([status]) => ({ status }), done: 'status changed',
  },
  {
    usage: 'milestone <incident> <milestone>', act: 'setMilestone', description: `date a milestone (${MILESTONES.join(', ')}), saying why (commander or scribe)`,
    options: [
      { flags: '--at <time>', description: 'when, ISO 8601 UTC (default: now)' },
      { flags: '--reason <why>', description: 'why (required, audited)', required: true },
    ],
    args: ([milestone], o) => ({ milestone, at: o.at ?? new Date().toISOString(), reason: o.reason }), done: 'milestone set',
  },
  {
    usage: 'snooze <incident> <duration>', act: 'snoozeReminder', description: `put off the next status-update reminder (${SNOOZES.join(', ')}; commander only)`,
    args: ([duration]) => ({ for: duration }), names: { for: '<duration>' }, done: 'reminder snoozed',
  },
  {
    usage: 'task <incident> <task> <outcome>', act: 'completeTask', description: 'close an open task of the playbook: done or not-needed (its assignee or the commander)',
    options: [{ flags: '--note <text>', description: 'what was done' }],
    args: ([taskId, outcome], o) => ({ taskId, outcome, ...(o.note !== undefined && { note: o.note }) }), names: { taskId: '<task>' }, done: 'task closed',
  },
  {
    usage: 'resolve <incident>', act: 'resolve', description: 'resolve the incident: its playbook stops and it closes (commander only)',
    options: [
      { flags: '--summary <text>', description: 'how it was resolved (required)', required: true },
      { flags: '--fixed', description: 'the cause is fixed, not only mitigated' },
    ],
    args: (_, o) => ({ summary: o.summary, ...(o.fixed === true && { fixed: true }) }), done: 'resolved; it closes once its run has recorded the resolution',
  },
];

export function registerIncidentActs(incident: Command): void {
  for (const spec of ACT_COMMANDS) {
    const command = incident.command(spec.usage).description(spec.description);
    for (const option of spec.options ?? []) {
      if (option.required) command.requiredOption(option.flags, option.description);
      else command.option(option.flags, option.description);
    }
    command.action(async (id: string, ...rest: unknown[]) => {
      // commander passes the positional arguments, then the options, then the command.
      const positional = rest.slice(0, -2) as string[];
      const name = `secops incident ${spec.usage.split(' ')[0]}`;
      const incidentId = checkedIncidentId(id, name);
      const args = checkedArgs(spec, spec.args(positional, rest.at(-2) as Options), name);
      const { env } = settings();
      const me = cliPrincipal(env);
      await withClient(env, (client) => withStore(storeUrl(env), async (db) => {
        try {
          const view = await actOnIncident({ client, db, signer: cliSigner(env) }, incidentId, spec.act, args, me);
          console.log(`${incidentId}: ${spec.done} (${standing(view)})`);
        } catch (error) {
          if (!(error instanceof ActRefusedError)) throw error;
          console.error(`error: refused: ${error.message}`);
          process.exitCode = CLI_EXIT_CODES.failed;
        }
      }));
    });
  }
}

/** The act's arguments as its schema reads them, or invalid input naming the argument or option at fault. */
function checkedArgs(spec: ActCommand, args: Record<string, unknown>, command: string): ActArgs<ActName> {
  const parsed = ACT_ARGS[spec.act].safeParse(args);
  if (parsed.success) return parsed.data as ActArgs<ActName>;
  const optionNames = new Set((spec.options ?? []).map((o) => o.flags.split(' ')[0]!.slice(2)));
  throw new ValidationError(command, parsed.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    const cliName = spec.names?.[field] ?? (optionNames.has(field) ? `--${field}` : `<${field}>`);
    return { path: [cliName, formatPath(issue.path.slice(1))].filter(Boolean).join('.'), message: issue.message };
  }));
}

function standing(view: IncidentView): string {
  return `${view.status}, ${view.severity}, commander ${view.roles.commander ?? 'none'}`;
}

import { SCAN_PROFILES, SCAN_PROFILE_CHOICES, isActiveProfile } from '../../domain/scan-profiles';
import { code, line, text } from './mrkdwn';
import type { SlackMessage } from './message';

const COMMANDS: [usage: string, what: string][] = [
  ['/secops scan <target> [profile]', `scan a configured target now: ${SCAN_PROFILE_CHOICES} (${SCAN_PROFILES.filter(isActiveProfile).join(' and ')} scan actively and need approval); default: the target's configured profile`],
  ['/secops approvals', 'list the approvals waiting for you'],
  ['/secops rotate <credential>', 'rotate a configured credential now (one rotation per credential at a time)'],
  ['/secops incident [playbook]', 'open an incident: a form for the playbook\'s input, you as commander (without a playbook: the list of playbooks)'],
  ['/secops status <workflow id>', 'show where a run stands'],
  ['/secops help', 'show this help'],
];

/** The `/secops` help, answered ephemerally; `problem` says what was wrong with the command typed, if anything. */
export function usageMessage(problem?: string): SlackMessage {
  const list = COMMANDS.map(([usage, what]) => `${code(usage, 100)} — ${what}`).join('\n');
  const intro = problem ? `:warning: ${line(problem, 500)}\n\n` : '';
  return {
    text: `${problem ? `${line(problem, 500)} — ` : ''}Usage: ${text(COMMANDS.map(([usage]) => usage).join(' | '), 1000)}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${intro}*Usage*\n${list}` } }],
  };
}

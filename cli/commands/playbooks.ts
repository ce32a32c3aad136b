import type { Command } from 'commander';
import { findPlaybook, listPlaybooks } from '../../client/playbooks';
import { ValidationError } from '../../domain/validation-error';
import { renderTable } from '../../render/terminal/table';

/** `secops playbooks list | show <id>`: what `secops incident start` and alert routes can open. */
export function registerPlaybooks(program: Command): void {
  const playbooks = program.command('playbooks').description('the incident playbooks, and the input each takes');
  playbooks
    .command('list')
    .description('every playbook: id, title, starting severity, the approval policies it asks')
    .action(() => {
      console.log(renderTable(['playbook', 'title', 'severity', 'approvals'], listPlaybooks().map((p) => [p.id, p.title, p.severity, p.approvals.join(', ') || '-'])));
    });
  playbooks
    .command('show <playbook>')
    .description('a playbook\'s description and the JSON Schema of its --input')
    .action((id: string) => {
      const playbook = findPlaybook(id);
      if (!playbook) throw new ValidationError('secops playbooks show', [{ path: '<playbook>', message: `unknown playbook ${id}; known: ${listPlaybooks().map((p) => p.id).join(', ')}` }]);
      console.log([
        `${playbook.id}: ${playbook.title} (${playbook.severity})`,
        playbook.description,
        `approvals: ${playbook.approvals.join(', ') || 'none'}`,
        'input (JSON Schema):',
        JSON.stringify(playbook.inputSchema, null, 2),
      ].join('\n'));
    });
}

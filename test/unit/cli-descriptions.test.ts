import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { secopsProgram } from '../../cli/program';

/** Every command of the tree, with its path: `secops findings triage`. */
function commandsOf(command: Command, path = command.name()): { path: string; command: Command }[] {
  return [{ path, command }, ...command.commands.flatMap((sub) => commandsOf(sub, `${path} ${sub.name()}`))];
}

describe('the secops command tree', () => {
  const all = commandsOf(secopsProgram());

  it('has a description for every command and subcommand', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter(({ command }) => command.description().trim() === '').map(({ path }) => path)).toEqual([]);
  });

  it('describes every option', () => {
    const undescribed = all.flatMap(({ path, command }) => command.options.filter((option) => !option.description.trim()).map((option) => `${path} ${option.flags}`));
    expect(undescribed).toEqual([]);
  });

  it('offers what the README documents', () => {
    expect(all.map(({ path }) => path)).toEqual(expect.arrayContaining([
      'secops scan', 'secops status', 'secops rotate', 'secops doctor', 'secops dev', 'secops demo', 'secops config check', 'secops store migrate',
      'secops approvals list', 'secops approvals approve', 'secops approvals reject',
      'secops schedules sync', 'secops schedules list', 'secops schedules pause', 'secops schedules unpause', 'secops schedules trigger',
      'secops findings list', 'secops findings export', 'secops findings triage', 'secops scanners build',
    ]));
  });
});

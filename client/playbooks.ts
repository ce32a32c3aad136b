import { playbookCatalog, type PlaybookEntry } from '../workflows/playbooks';

export type { PlaybookEntry };

/** The playbooks an incident can be opened with, as front ends list them. */
export function listPlaybooks(): PlaybookEntry[] {
  return playbookCatalog();
}

export function findPlaybook(id: string): PlaybookEntry | undefined {
  return playbookCatalog().find((playbook) => playbook.id === id);
}

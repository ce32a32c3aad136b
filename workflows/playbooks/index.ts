import { z } from 'zod';
import { compromisedCredential } from './compromised-credential';
import { drill } from './drill';
import { exposedVulnerability } from './exposed-vulnerability';
import { leakedSecret } from './leaked-secret';
import type { Playbook } from './playbook';
import { suspiciousContainer } from './suspicious-container';

/** Every playbook, by id: adding one is a file beside this one and a line here. */
export const PLAYBOOKS: Readonly<Record<string, Playbook>> = Object.fromEntries([
  compromisedCredential,
  drill,
  exposedVulnerability,
  leakedSecret,
  suspiciousContainer,
].map((playbook) => [playbook.id, playbook as unknown as Playbook]));

export interface PlaybookEntry {
  id: string;
  title: string;
  description: string;
  severity: Playbook['severity'];
  approvals: readonly string[];
  /** The input as JSON Schema (zod's toJSONSchema): what the Slack modal and CLI help are made from. */
  inputSchema: Record<string, unknown>;
}

/** The playbooks as front ends list them. */
export function playbookCatalog(): PlaybookEntry[] {
  return Object.values(PLAYBOOKS).map(({ id, title, description, severity, approvals, input }) => ({
    id, title, description, severity, approvals, inputSchema: z.toJSONSchema(input, { io: 'input' }) as Record<string, unknown>,
  }));
}

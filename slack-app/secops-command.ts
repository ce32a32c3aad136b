import { SCAN_PROFILE_CHOICES, isScanProfile, type ScanProfile } from '../domain/scan-profiles';

/** What `/secops <text>` asks for; `usage` carries what was wrong with the text, if anything. */
export type SecopsCommand =
  | { kind: 'scan'; targetId: string; profile?: ScanProfile }
  | { kind: 'approvals' }
  | { kind: 'status'; workflowId: string }
  | { kind: 'rotate'; credentialId: string }
  | { kind: 'incident'; playbook?: string }
  | { kind: 'usage'; problem?: string };

/** Pure, so every wrong form gets the usage message with its reason and nothing starts. */
export function parseSecopsCommand(text: string): SecopsCommand {
  const [verb = '', ...args] = text.trim().split(/\s+/).filter(Boolean);
  switch (verb.toLowerCase()) {
    case '':
    case 'help':
      return { kind: 'usage' };
    case 'scan': {
      const [targetId, profile, ...extra] = args;
      if (!targetId) return { kind: 'usage', problem: 'scan needs a target id' };
      if (extra.length > 0) return { kind: 'usage', problem: `unexpected "${extra.join(' ')}"` };
      if (profile === undefined) return { kind: 'scan', targetId };
      return isScanProfile(profile) ? { kind: 'scan', targetId, profile } : { kind: 'usage', problem: `unknown profile "${profile}" (${SCAN_PROFILE_CHOICES})` };
    }
    case 'approvals':
      return args.length === 0 ? { kind: 'approvals' } : { kind: 'usage', problem: `unexpected "${args.join(' ')}"` };
    case 'rotate':
      return args.length === 1 ? { kind: 'rotate', credentialId: args[0]! } : { kind: 'usage', problem: 'rotate needs exactly one credential id' };
    case 'incident':
      if (args.length > 1) return { kind: 'usage', problem: 'incident takes at most one playbook id' };
      return args.length === 1 ? { kind: 'incident', playbook: args[0]! } : { kind: 'incident' };
    case 'status':
      return args.length === 1 ? { kind: 'status', workflowId: args[0]! } : { kind: 'usage', problem: 'status needs exactly one workflow id' };
    default:
      return { kind: 'usage', problem: `unknown command "${verb}"` };
  }
}

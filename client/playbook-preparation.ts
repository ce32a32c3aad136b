import type { Principal } from '../domain/approval';
import type { Config } from '../domain/config';
import { dastScanInput, findTarget } from '../domain/dast';
import { credentialRotationInput, findCredential } from '../domain/rotation';
import { ValidationError } from '../domain/validation-error';
import type { ExposedVulnerabilityPrepared } from '../workflows/playbooks/exposed-vulnerability';
import type { CredentialPrepared } from '../workflows/playbooks/rotate-compromised';

export interface Preparation {
  prepared?: unknown;
  /** People the playbook's subject names as responsible (a target's owners). */
  participants: Principal[];
}

/**
 * What a playbook needs from the config that its input only names (workflows cannot read
 * the config): for `exposed-vulnerability`, the target's scan input to re-test with and the
 * target's owners as participants; for the credential playbooks, the rotation's input.
 * Other playbooks need nothing.
 */
export function preparePlaybook(config: Config, playbook: string, input: Record<string, unknown>, source: string): Preparation {
  if (playbook === 'compromised-credential' || playbook === 'leaked-secret') {
    const credential = findCredential(config, String(input.credential));
    if (!credential) throw new ValidationError(source, [{ path: 'input.credential', message: `no credential ${String(input.credential)} in the config` }]);
    const prepared: CredentialPrepared = { rotation: credentialRotationInput(config, credential, 'schedule') };
    return { prepared, participants: [] };
  }
  if (playbook !== 'exposed-vulnerability') return { participants: [] };
  const target = findTarget(config, String(input.target));
  if (!target) throw new ValidationError(source, [{ path: 'input.target', message: `no target ${String(input.target)} in the config` }]);
  const prepared: ExposedVulnerabilityPrepared = { retest: dastScanInput(config, target, 'schedule') };
  return { prepared, participants: target.owners.flatMap(ownerPrincipal) };
}

/** A target owner as a person who can act: a Slack user or a CLI user (a Slack user group cannot sign). */
function ownerPrincipal(owner: string): Principal[] {
  if (/^[UW][A-Z0-9]{2,20}$/.test(owner)) return [`slack:${owner}`];
  if (owner.startsWith('cli:')) return [owner as Principal];
  return [];
}

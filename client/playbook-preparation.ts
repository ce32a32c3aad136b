import type { Principal } from '../domain/approval-rules';
import type { Config } from '../domain/config';
import { dastScanInput, findTarget } from '../domain/dast';
import { retestScanOf } from '../domain/finding-incident';
import { credentialRotationInput, findCredential } from '../domain/rotation';
import { ownerPrincipals } from '../domain/target-owners';
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
  const prepared: ExposedVulnerabilityPrepared = { retest: retestScanOf(dastScanInput(config, target, 'schedule')) };
  return { prepared, participants: ownerPrincipals(target.owners) };
}

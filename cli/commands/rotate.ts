import type { Command } from 'commander';
import { startRotation } from '../../client/start-rotation';
import { findCredential } from '../../domain/rotation';
import { ValidationError } from '../../domain/validation-error';
import { cliPrincipal, settings, withClient } from '../settings';
import { authorize } from '../../client/authorize';

/** `secops rotate <credential>`: the same rotation as the weekly schedule and `/secops rotate`. */
export function registerRotate(program: Command): void {
  program
    .command('rotate <credential>')
    .description('rotate a credential now: create, apply, verify, (approve), promote; rolled back on failure')
    .option('--no-wait', 'start the rotation and print its workflow id')
    .action(async (credentialId: string, options: { wait: boolean }) => {
      const { env, config } = settings();
      const credential = findCredential(config, credentialId);
      if (!credential) throw new ValidationError('secops rotate', [{ path: 'credential', message: `unknown credential "${credentialId}" (known: ${config.credentials.map((c) => c.id).join(', ') || 'none'})` }]);
      await withClient(env, async (client) => {
        await authorize({ config }, { who: cliPrincipal(env) }, 'rotation.start', credential.id);
        const handle = await startRotation(client, config, credential, cliPrincipal(env));
        console.log(`rotation started: ${handle.workflowId}`);
        if (!options.wait) return;
        const result = await handle.result();
        console.log(`${credential.id}: version ${result.versionId} for ${result.username} is CURRENT${result.revokedPrevious ? `; previous of ${result.revokedPrevious} revoked` : ''}`);
      });
    });
}

import { z } from 'zod';
import { lazySchema } from '../../domain/lazy-schema';
import { definePlaybook } from './playbook';
import { rotateCompromised } from './rotate-compromised';

/** A credential someone else may hold: rotate it now, tell its consumers, review who used it. */
export const compromisedCredential = definePlaybook({
  id: 'compromised-credential',
  title: 'Compromised credential',
  description: 'Rotate a configured credential at once (a child credential rotation), tell its consumers, and review its access logs.',
  input: lazySchema(() => z.strictObject({
    credential: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a credential id').describe('The configured credential'),
    reason: z.string().trim().max(2000).optional().describe('Why it is thought compromised'),
  })),
  severity: 'SEV2',
  approvals: [],
  async run(ctx, input) {
    await rotateCompromised(ctx, input.reason ?? 'it may be compromised');
  },
});

import { z } from 'zod';
import { lazySchema } from '../../domain/lazy-schema';
import { definePlaybook } from './playbook';
import { rotateCompromised } from './rotate-compromised';

/** A secret seen where it must not be (a repository, a paste, a log): as compromised, plus where, and its removal confirmed. */
export const leakedSecret = definePlaybook({
  id: 'leaked-secret',
  title: 'Leaked secret',
  description: 'Record where a credential leaked, rotate it (a child credential rotation), tell its consumers, have its removal confirmed and its access logs reviewed.',
  input: lazySchema(() => z.strictObject({
    credential: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a credential id').describe('The configured credential'),
    where: z.string().trim().min(1, 'must say where it leaked').max(2000).describe('Where it leaked: a URL, a commit, a log'),
  })),
  severity: 'SEV2',
  approvals: [],
  async run(ctx, input) {
    await ctx.note(`leaked at: ${input.where}`, { where: input.where });
    await rotateCompromised(ctx, `leaked at ${input.where}`);
    await ctx.humanTask(`Confirm the leaked copy is removed: ${input.where}`);
  },
});

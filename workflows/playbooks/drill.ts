import { sleep } from '@temporalio/workflow';
import { z } from 'zod';
import { lazySchema } from '../../domain/lazy-schema';
import { definePlaybook } from './playbook';

export const DRILL_POLICY = 'incident.drill';

/**
 * A fire drill: the incident machinery end to end — steps, an approval, milestones, the
 * timeline — without touching anything, resolving itself once approved. For game days, and
 * the playbook-throughput benchmark.
 */
export const drill = definePlaybook({
  id: 'drill',
  title: 'Incident drill',
  description: 'Exercise the incident process (steps, an approval, milestones) without acting on anything.',
  input: lazySchema(() => z.strictObject({
    steps: z.number().int().min(0).max(20).default(3).describe('How many no-op steps to run'),
    stepDelaySeconds: z.number().int().min(0).max(3600).default(0).describe('How long each step pretends to work'),
  })),
  severity: 'SEV4',
  approvals: [DRILL_POLICY],
  async run(ctx, input) {
    for (let i = 1; i <= input.steps; i++) {
      await ctx.step(`drill step ${i} of ${input.steps}`, async () => {
        if (input.stepDelaySeconds > 0) await sleep(input.stepDelaySeconds * 1000);
      });
    }
    if (!(await ctx.approve(DRILL_POLICY, 'Pretend to contain the drill\'s pretend threat'))) return;
    await ctx.milestone('mitigated');
    // A drill has nothing left to watch once its steps are done: it resolves itself.
    await ctx.resolve(`drill of ${input.steps} steps complete`);
  },
});

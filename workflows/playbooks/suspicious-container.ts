import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import { lazySchema } from '../../domain/lazy-schema';
import type { Activities } from '../../activities';
import { definePlaybook } from './playbook';

export const ISOLATE_POLICY = 'containment.isolate';
export const STOP_POLICY = 'containment.stop';

/**
 * A container behaving suspiciously: evidence first, while it is untouched — inspect, logs,
 * filesystem changes, processes, a filesystem export, each file's SHA-256 on the timeline —
 * then, each behind its own approval, cut it off from every network (or pause it when it has
 * none), and stop it and keep it for forensics. Never removed.
 */
export const suspiciousContainer = definePlaybook({
  id: 'suspicious-container',
  title: 'Suspicious container',
  description: 'Collect evidence from a running container, then isolate it and stop it for forensics, each behind an approval.',
  input: lazySchema(() => z.strictObject({
    container: z.string().trim().min(1, 'must name a container (name or id)').max(128).describe('Container name or id on the worker\'s Docker Engine'),
    reason: z.string().trim().max(2000).optional().describe('What looks wrong'),
  })),
  severity: 'SEV2',
  approvals: [ISOLATE_POLICY, STOP_POLICY],
  async run(ctx, input) {
    // A short heartbeat timeout: a worker that died during the filesystem export is noticed in seconds, and the export taken again.
    const containment = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '20 seconds', retry: { maximumAttempts: 5 } });
    const incidentId = ctx.incident.id;
    const container = await ctx.step('find the container', () => containment.findContainer(input.container));
    await ctx.note(`container ${container.name} (${container.id.slice(0, 12)})${container.scanner ? ', one of our scanners' : ''}`, { containerId: container.id });

    await ctx.step('collect evidence', async () => {
      const evidence = { incidentId, containerId: container.id };
      for (const collect of [containment.collectInspectEvidence, containment.collectLogsEvidence, containment.collectChangesEvidence, containment.collectProcessesEvidence, containment.collectFilesystemEvidence]) {
        const file = await collect(evidence);
        await ctx.note(`evidence ${file.kind}: ${file.path}`, { path: file.path, sha256: file.sha256, bytes: String(file.bytes) });
      }
    });

    if (!(await ctx.approve(ISOLATE_POLICY, `Isolate container ${container.name} (disconnect every network, or pause it)`))) return;
    const isolation = await ctx.step('isolate the container', () => containment.isolateContainer({ containerId: container.id }));
    await ctx.note(`isolation: ${isolation.action}`, { action: isolation.action });
    await ctx.milestone('mitigated');

    if (!(await ctx.approve(STOP_POLICY, `Stop container ${container.name} and keep it for forensics`))) return;
    const kept = await ctx.step('stop and keep the container', () => containment.stopAndKeepContainer({ containerId: container.id, incidentId }));
    await ctx.note(`stopped (${kept.status}) and held as ${kept.heldAs}`, { name: kept.heldAs });
  },
});

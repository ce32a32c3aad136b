import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import type { RecentScan } from '../render/slack/app-home';
import { dastScan } from '../workflows/dast-scan';

const verdict = z.enum(['pass', 'warn', 'fail']).optional().catch(undefined);

/** The latest dastScan runs from the visibility store, with the verdict each upserted as SecopsVerdict. */
export async function recentScans(client: Client, limit = 10): Promise<RecentScan[]> {
  const scans: RecentScan[] = [];
  for await (const run of client.workflow.list({ query: `WorkflowType = '${dastScan.name}'`, pageSize: limit })) {
    scans.push({
      workflowId: run.workflowId,
      targetId: run.typedSearchAttributes.get(SEARCH_ATTRIBUTES.target),
      status: run.status.name,
      verdict: verdict.parse(run.typedSearchAttributes.get(SEARCH_ATTRIBUTES.verdict)),
      startedAt: run.startTime.toISOString(),
    });
    if (scans.length >= limit) break;
  }
  return scans;
}

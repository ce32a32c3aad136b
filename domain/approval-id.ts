/**
 * An approval id is `<workflow id>#<n>@<run id>`, the n-th approval that run asked for.
 * The run id makes it unique per run: rotations of one credential share a workflow id,
 * and neither their audit rows nor a ballot signed for one may land on another. Runs
 * started before ids carried it use `<workflow id>#<n>`. The workflow id may itself hold
 * `#` or `@`, so the last ones separate.
 */
const APPROVAL_ID = /^(.+)#[1-9][0-9]*(?:@([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))?$/;

/** The id of a run's `sequence`-th approval (from 1); without `runId`, the older form. */
export function approvalIdOf(workflowId: string, sequence: number, runId?: string): string {
  return runId ? `${workflowId}#${sequence}@${runId}` : `${workflowId}#${sequence}`;
}

/**
 * The run an approval belongs to, or undefined for anything that is not an approval id:
 * cut at a `#` that is not there, an id would address the vote to another run.
 */
export function runOfApproval(approvalId: string): { workflowId: string; runId?: string } | undefined {
  const match = APPROVAL_ID.exec(approvalId);
  if (!match) return undefined;
  return { workflowId: match[1]!, ...(match[2] && { runId: match[2] }) };
}

export function workflowIdOfApproval(approvalId: string): string | undefined {
  return runOfApproval(approvalId)?.workflowId;
}

export function notAnApprovalId(approvalId: string): string {
  return `"${approvalId}" is not an approval id (<workflow id>#<n>@<run id>, as \`secops approvals list\` shows it)`;
}

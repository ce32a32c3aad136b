/**
 * An approval id is `<workflow id>#<n>`, the n-th approval the run asked for; the workflow
 * id may itself hold a `#`, so the last one separates.
 */
const APPROVAL_ID = /^(.+)#[1-9][0-9]*$/;

/** The id of a run's `sequence`-th approval (from 1). */
export function approvalIdOf(workflowId: string, sequence: number): string {
  return `${workflowId}#${sequence}`;
}

/**
 * The run an approval belongs to, or undefined for anything that is not an approval id:
 * cut at a `#` that is not there, an id would address the vote to another run.
 */
export function workflowIdOfApproval(approvalId: string): string | undefined {
  return APPROVAL_ID.exec(approvalId)?.[1];
}

export function notAnApprovalId(approvalId: string): string {
  return `"${approvalId}" is not an approval id (<workflow id>#<n>, as \`secops approvals list\` shows it)`;
}

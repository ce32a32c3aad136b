import { describe, expect, it } from 'vitest';
import { approvalIdOf, workflowIdOfApproval } from '../../domain/approval-id';

describe('approval ids: <workflow id>#<n>', () => {
  it.each([
    ['dast:shop:2030-01-01T00:00:00.000Z#1', 'dast:shop:2030-01-01T00:00:00.000Z'],
    ['rotate:db#12', 'rotate:db'],
    // The workflow id may hold a `#` itself: the last one separates.
    ['dast:shop:slack-1#2#3', 'dast:shop:slack-1#2'],
  ])('%s belongs to run %s', (approvalId, workflowId) => {
    expect(workflowIdOfApproval(approvalId)).toBe(workflowId);
  });

  it.each(['dast:shop:abc', 'rotate:db#', '#1', 'rotate:db#0', 'rotate:db#x', 'rotate:db#1 ', ''])('%j is not an approval id', (approvalId) => {
    expect(workflowIdOfApproval(approvalId)).toBeUndefined();
  });

  it('reads back the run of every id the gate builds', () => {
    for (const workflowId of ['rotate:db', 'dast:shop:slack-1#2']) for (const n of [1, 2, 40]) expect(workflowIdOfApproval(approvalIdOf(workflowId, n))).toBe(workflowId);
  });
});

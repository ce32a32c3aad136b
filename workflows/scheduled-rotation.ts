import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild } from '@temporalio/workflow';
import { rotationWorkflowId } from '../domain/action-kinds';
import { credentialRotation, type CredentialRotationInput, type CredentialRotationResult } from './credential-rotation';

/**
 * What a rotation schedule starts. Schedules add a time to their runs' ids, so the run
 * starts the rotation as a child under the one id `rotate:<credential>`: a rotation
 * already running (from the CLI, Slack or an earlier schedule) is never doubled.
 */
export async function scheduledRotation(input: CredentialRotationInput): Promise<CredentialRotationResult | { skipped: string }> {
  try {
    return await executeChild(credentialRotation, { workflowId: rotationWorkflowId(input.credential.id), args: [input] });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { skipped: `a rotation of ${input.credential.id} is already running` };
    throw error;
  }
}

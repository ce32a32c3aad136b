import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { rotationWorkflowId } from '../domain/action-kinds';
import type { Principal } from '../domain/approval-rules';
import type { Config } from '../domain/config';
import type { CredentialConfig } from '../domain/credential';
import { credentialRotationInput } from '../domain/rotation';
import { credentialRotation } from '../workflows/credential-rotation';

export class RotationAlreadyRunningError extends Error {}

/** Starts a rotation under `rotate:<credential>`: Temporal refuses a second one while it runs. */
export async function startRotation(client: Client, config: Config, credential: CredentialConfig, requestedBy: Principal): Promise<WorkflowHandle<typeof credentialRotation>> {
  try {
    return await client.workflow.start(credentialRotation, {
      taskQueue: config.taskQueues.control,
      workflowId: rotationWorkflowId(credential.id),
      args: [credentialRotationInput(config, credential, requestedBy)],
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) throw new RotationAlreadyRunningError(`a rotation of ${credential.id} is already running (${rotationWorkflowId(credential.id)})`);
    throw error;
  }
}

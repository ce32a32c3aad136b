import { WorkflowFailedError } from '@temporalio/client';
import { failureMessage } from '../domain/failure-message';

/** A failed run's own message (e.g. "target shop refused: …"), not the client's wrapper's. */
export function scanFailureMessage(error: unknown): string {
  if (error instanceof WorkflowFailedError) return failureMessage(error.cause ?? error);
  return error instanceof Error ? error.message : String(error);
}

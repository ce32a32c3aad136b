/**
 * What went wrong, in the failure's own words. Temporal wraps a failure once per hop — an
 * activity's ApplicationFailure arrives inside an ActivityFailure, a workflow's inside the
 * client's WorkflowFailedError — and the wrapper's message says only that something failed.
 * Pure and import-free, so workflow code uses it too.
 */
export function failureMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? error.cause.message : error.message;
}

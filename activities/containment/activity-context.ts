import { Context } from '@temporalio/activity';

/**
 * The running activity's context, or undefined when an activity function is called directly
 * (tests, scripts): there is nobody to heartbeat to then, and nothing can cancel.
 */
export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

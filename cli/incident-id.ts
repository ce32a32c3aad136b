import { incidentIdSchema } from '../domain/incident';
import { ValidationError } from '../domain/validation-error';

/** The `<incident>` argument, refused as invalid input (exit 2) before anything is asked when it cannot be an incident id. */
export function checkedIncidentId(id: string, command: string): string {
  const parsed = incidentIdSchema.safeParse(id);
  if (!parsed.success) throw new ValidationError(command, [{ path: '<incident>', message: parsed.error.issues[0]!.message }]);
  return parsed.data;
}

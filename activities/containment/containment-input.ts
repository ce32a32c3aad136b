import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { problemsFromZod, ValidationError } from '../../domain/validation-error';

/**
 * Docker's own charset for names and ids. Checked before a ref reaches a request path:
 * dockerode puts it into the URL as it is, and `../images/x` would address another endpoint.
 */
export const containerRefSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/, 'a Docker container name or id');

/** One directory name under the artifact root and part of a held container's name: no separators, no dot-dot. */
export const incidentIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'letters, digits, `_`, `.` and `-`, starting with a letter or digit');

export const containerInputSchema = z.object({ containerId: containerRefSchema });
export const incidentContainerInputSchema = z.object({ incidentId: incidentIdSchema, containerId: containerRefSchema });

/** Bad input fails for good: a retry would send the same. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw ApplicationFailure.nonRetryable(new ValidationError(what, problemsFromZod(parsed.error)).message, 'InvalidContainmentInput');
}

import type { z } from 'zod';

/** One problem in some input, located by a path like `targets[2].url`. */
export interface InputProblem {
  path: string;
  message: string;
}

/** Bad input, with every problem listed (not just the first) so a user fixes all at once. */
export class ValidationError extends Error {
  constructor(
    readonly source: string,
    readonly problems: InputProblem[],
  ) {
    super(`${source} is invalid:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ValidationError';
  }
}

export function formatProblem(problem: InputProblem): string {
  return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
}

/** `['targets', 2, 'url']` → `targets[2].url` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`))
    .join('');
}

export function problemsFromZod(error: z.ZodError): InputProblem[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

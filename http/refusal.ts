import type { FastifyReply } from 'fastify';
import type { InputProblem } from '../domain/validation-error';

/** Enough for a sender to fix a payload; a thousand broken alerts need not come back a thousand times. */
const MAX_PROBLEMS = 20;

/** Every 4xx and 5xx body: `{ error, problems? }`, each problem naming a field by its path. */
export interface RefusalBody {
  error: string;
  problems?: InputProblem[];
}

export function refuse(reply: FastifyReply, status: number, error: string, problems?: InputProblem[]): FastifyReply {
  const body: RefusalBody = { error };
  if (problems && problems.length > 0) {
    body.problems = problems.slice(0, MAX_PROBLEMS);
    if (problems.length > MAX_PROBLEMS) body.problems.push({ path: '', message: `and ${problems.length - MAX_PROBLEMS} more problems` });
  }
  return reply.code(status).header('cache-control', 'no-store').send(body);
}

/** Where a payload was wrong, without the messages: those may quote what was sent. */
export function problemPaths(problems: { path: string }[] | undefined): string {
  return problems?.length ? ` at ${problems.slice(0, 5).map((p) => p.path || '(body)').join(', ')}${problems.length > 5 ? ', …' : ''}` : '';
}

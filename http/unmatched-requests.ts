import type { FastifyError, FastifyInstance } from 'fastify';
import type { Log } from './deliver';
import { refuse } from './refusal';

/**
 * Answers for what no handler answers: 405 (with Allow) for a known path asked with another
 * method, 404 for any other path, and the body reader's refusals (413, 415, 400) as the same
 * `{ error }` JSON as every other refusal. `routes` maps each served path to its methods.
 */
export function answerUnmatchedRequests(app: FastifyInstance, routes: ReadonlyMap<string, readonly string[]>, maxBodyBytes: number, log: Log): void {
  app.setNotFoundHandler((request, reply) => {
    const methods = routes.get(new URL(request.url, 'http://any').pathname);
    if (!methods) return refuse(reply, 404, 'no such endpoint');
    return refuse(reply.header('allow', methods.join(', ')), 405, `method not allowed (allowed: ${methods.join(', ')})`);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const route = request.routeOptions.url ?? 'an unknown path';
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      log(`http: refused ${request.method} ${route}: body over ${maxBodyBytes} bytes`);
      // The rest of an oversized body is never read: the connection cannot carry another request.
      return refuse(reply.header('connection', 'close'), 413, `body larger than ${maxBodyBytes} bytes`);
    }
    const [status, message] = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? [415, 'content type must be application/json'] : [error.statusCode ?? 500, error.message];
    if (status >= 400 && status < 500) {
      log(`http: refused ${request.method} ${route} (${status}): ${message}`);
      return refuse(reply, status, message);
    }
    log(`http: ${request.method} ${route} failed: ${error.message}`);
    return refuse(reply, 500, 'internal error');
  });
}

import type { FastifyInstance } from 'fastify';
import { ValidationError, type InputProblem } from '../domain/validation-error';

/**
 * JSON bodies arrive as the raw bytes: a Standard Webhooks signature covers the body exactly
 * as sent, and nothing unauthenticated should be parsed. Fastify's own parsers go, so any
 * other content type is a 415, and its body limit (413) applies while the bytes are read.
 */
export function acceptJsonAsBytes(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
}

export type BodyReading<T> =
  | { ok: true; value: T }
  | { ok: false; status: 400 | 415; error: string; problems?: InputProblem[] };

/** The body parsed as JSON, then by `parse` (which throws a ValidationError naming each problem). */
export function readJsonBody<T>(body: unknown, parse: (json: unknown) => T): BodyReading<T> {
  // No body at all (and so no content type): the JSON parser never ran.
  if (!Buffer.isBuffer(body)) return { ok: false, status: 415, error: 'content type must be application/json' };
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, status: 400, error: 'body is not valid JSON' };
  }
  try {
    return { ok: true, value: parse(json) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { ok: false, status: 400, error: `${error.source} is invalid`, problems: error.problems };
  }
}

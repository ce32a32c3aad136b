import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { bearerTokenMatches } from '../domain/bearer-token';
import { firstPrototypeKeyPath, prototypeKeyProblem } from '../domain/prototype-keys';
import { formatProblem, problemsFromZod } from '../domain/validation-error';
import { PayloadDecryptionError } from './payload-codec';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Callers send `Authorization: Bearer <token>` (Temporal CLI: `--codec-auth "Bearer <token>"`). */
  token: string;
  /** Exact origins (scheme://host:port) of the Temporal UI pages allowed to call from a browser. */
  allowedOrigins: readonly string[];
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

/** A history page of payloads fits easily; the limit only stops a caller from exhausting memory. */
const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
const ALLOWED_HEADERS = 'authorization, content-type, x-namespace';

/**
 * Temporal's codec server protocol (what the Web UI and `temporal --codec-endpoint` call):
 * `POST …/encode` and `POST …/decode`, body and answer `{ payloads: [...] }` in proto3 JSON.
 * Only the last path segment counts, so the CLI's `/{namespace}/decode` works too. One key
 * ring serves every namespace; `X-Namespace` is only reported in logs.
 */
export function createCodecServer(options: CodecServerOptions): Server {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log ?? (() => undefined);
  return createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`codec-server: ${request.method} ${request.url} failed: ${(error as Error).message}`);
      if (!response.headersSent) reply(response, 500, { error: 'internal error' });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    allowOrigin(request, response, options.allowedOrigins);
    // Decoded payloads are exactly what must not linger in a browser or proxy cache.
    response.setHeader('Cache-Control', 'no-store');
    // Browsers send preflights without credentials: answering them reveals nothing.
    if (request.method === 'OPTIONS') return reply(response, 204);
    if (!bearerTokenMatches(request.headers.authorization, options.token)) {
      response.setHeader('WWW-Authenticate', 'Bearer');
      return reply(response, 401);
    }
    const operation = operationOf(request.url);
    if (!operation) return reply(response, 404);
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST, OPTIONS');
      return reply(response, 405);
    }
    // The protocol's clients (Web UI, Temporal CLI) send JSON and say so; anything else is not theirs.
    if (mediaType(request.headers['content-type']) !== 'application/json') return reply(response, 415, { error: 'content type must be application/json' });
    const body = await readBody(request, maxBodyBytes);
    if (body === undefined) {
      response.setHeader('Connection', 'close');
      return reply(response, 413, { error: `body larger than ${maxBodyBytes} bytes` });
    }
    const parsed = parseBody(body);
    if (typeof parsed === 'string') return reply(response, 400, { error: parsed });
    try {
      const payloads = await options.codec[operation](parsed.map(fromJson));
      reply(response, 200, { payloads: payloads.map(toJson) });
    } catch (error) {
      if (!(error instanceof PayloadDecryptionError)) throw error;
      log(`codec-server: ${operation} for namespace ${String(request.headers['x-namespace'] ?? '-')} refused: ${error.message}`);
      reply(response, 400, { error: error.message });
    }
  }
}

/** Credentialed CORS (the UI's "include cross-origin credentials"): the origin is echoed, never `*`. */
function allowOrigin(request: IncomingMessage, response: ServerResponse, allowed: readonly string[]): void {
  response.setHeader('Vary', 'Origin');
  const origin = request.headers.origin;
  if (!origin || !allowed.includes(origin)) return;
  response.setHeader('Access-Control-Allow-Origin', origin);
  response.setHeader('Access-Control-Allow-Credentials', 'true');
  if (request.method !== 'OPTIONS') return;
  response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
  response.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
  response.setHeader('Access-Control-Max-Age', '600');
}

function operationOf(url: string | undefined): 'encode' | 'decode' | undefined {
  const last = new URL(url ?? '/', 'http://codec').pathname.split('/').pop();
  return last === 'encode' || last === 'decode' ? last : undefined;
}

/** The body, or undefined once it exceeds `limit` (the rest is not read). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(request.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      request.pause();
      request.removeAllListeners('data');
      resolve(undefined);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

// proto3 JSON encodes `bytes` as base64, standard or URL-safe alphabet, padding optional.
// Buffer.from would quietly drop what is not whole bytes; such a payload is refused instead.
const base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64')
  .refine(wholeBytes, 'must be base64 of whole bytes (its length cannot be)');
const payloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).nullish(), data: base64.nullish() })),
});

/** 4 characters carry 3 bytes: a last group of 1 character carries none, and padding completes a group. */
function wholeBytes(value: string): boolean {
  const unpadded = value.replace(/=+$/, '');
  return unpadded.length % 4 !== 1 && (unpadded.length === value.length || value.length % 4 === 0);
}
type JsonPayload = z.infer<typeof payloadsBody>['payloads'][number];

/** The payloads, or what is wrong with the body. */
function parseBody(body: Buffer): JsonPayload[] | string {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return 'body is not valid JSON';
  }
  // zod drops a `__proto__` key silently; a body holding one is refused, not half-read.
  const prototypeKey = firstPrototypeKeyPath(json);
  if (prototypeKey) return `body is not { payloads: [...] } in proto3 JSON: ${prototypeKey.path}: ${prototypeKeyProblem(prototypeKey.key)}`;
  const result = payloadsBody.safeParse(json);
  if (!result.success) return `body is not { payloads: [...] } in proto3 JSON: ${problemsFromZod(result.error).map(formatProblem).join('; ')}`;
  return result.data.payloads;
}

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(data ?? '', 'base64'),
  };
}

function toJson({ metadata, data }: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString('base64')])),
    data: Buffer.from(data ?? []).toString('base64'),
  };
}

function reply(response: ServerResponse, status: number, body?: object): void {
  if (body === undefined) return void response.writeHead(status).end();
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

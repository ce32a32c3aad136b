import { parseArgs } from 'node:util';
import { parseEnvironment } from '../domain/environment';
import { ValidationError } from '../domain/validation-error';
import { createCodecServer } from './codec-server';
import { CODEC_KEYS_VARIABLE } from '../domain/codec-keys';
import { EncryptionCodec } from './payload-codec';

/**
 * Codec server process: `codec/main.ts [--port 8888] [--host 127.0.0.1] [--origin URL]…`.
 * Loopback by default: whoever reaches it with the token reads every decrypted payload.
 * Origins default to TEMPORAL_UI_URL, else the dev server's UI on localhost:8233.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8888' },
      host: { type: 'string', default: '127.0.0.1' },
      origin: { type: 'string', multiple: true },
    },
  });
  const env = parseEnvironment(process.env);
  const { SECOPS_CODEC_KEYS: ring, SECOPS_CODEC_SERVER_TOKEN: token } = env;
  if (!ring || !token) {
    const missing = Object.entries({ [CODEC_KEYS_VARIABLE]: ring, SECOPS_CODEC_SERVER_TOKEN: token }).filter(([, value]) => !value);
    throw new ValidationError('environment', missing.map(([name]) => ({ path: name, message: 'required by the codec server' })));
  }
  const port = parsePort(values.port ?? '8888');
  const allowedOrigins = (values.origin ?? [env.TEMPORAL_UI_URL ?? 'http://localhost:8233']).map(parseOrigin);

  const server = createCodecServer({
    codec: new EncryptionCodec(ring),
    token,
    allowedOrigins,
    log: (line) => console.warn(line),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, values.host, resolve);
  });
  console.log(`codec-server: listening on http://${values.host}:${port} for ${allowedOrigins.join(', ')} (encrypting with key id ${ring.current.id})`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => server.close(() => console.log('codec-server: stopped')));
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ValidationError('--port', [{ path: '', message: 'must be a port number (1-65535)' }]);
  return port;
}

/** Browsers send the bare origin, so `http://host:8233/` and `http://host:8233` must both match it. */
function parseOrigin(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol === 'http:' || url?.protocol === 'https:') return url.origin;
  throw new ValidationError('--origin', [{ path: '', message: `${value} is not an http(s) origin like http://localhost:8233` }]);
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof ValidationError ? error.message : (error as Error).stack ?? String(error)}`);
  process.exit(error instanceof ValidationError ? 2 : 1);
});

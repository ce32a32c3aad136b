import { z } from 'zod';
import { redactUrl } from '../domain/redact-url';
import { SecretStoreError } from './secret-store';

/**
 * The few Vault HTTP API calls the KV v2 store makes, on plain fetch. Address and token
 * come from the environment (VAULT_ADDR, VAULT_TOKEN), as with Vault's and OpenBao's own
 * CLIs. Request bodies (which hold secret values) never reach an error message.
 */
export const VAULT_ADDR_ENV = 'VAULT_ADDR';
export const VAULT_TOKEN_ENV = 'VAULT_TOKEN';

const vaultEnvironmentSchema = z.object({
  [VAULT_ADDR_ENV]: z
    .url({ protocol: /^https?$/, error: 'must be the http(s) URL of the Vault server, e.g. https://vault.example.com:8200' })
    // Never echoed: a user:password@ in it is a credential, and the token belongs in VAULT_TOKEN.
    .refine((address) => !/^[a-z]+:\/\/[^/?#]*@/i.test(address), 'must not carry user:password@; the token goes in VAULT_TOKEN'),
  [VAULT_TOKEN_ENV]: z.string({ error: 'is not set' }).min(1, 'is empty'),
});

export interface VaultConnection {
  address: string;
  token: string;
  timeoutMs?: number;
}

export function vaultConnectionFromEnvironment(env: Record<string, string | undefined>): VaultConnection {
  const result = vaultEnvironmentSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new SecretStoreError(`Vault connection: ${problems.join('; ')}`);
  }
  return { address: result.data[VAULT_ADDR_ENV], token: result.data[VAULT_TOKEN_ENV] };
}

/** Vault answered with an error status; `errors` is Vault's own list of messages. */
export class VaultHttpError extends SecretStoreError {
  constructor(
    readonly status: number,
    readonly errors: string[],
    what: string,
  ) {
    super(`Vault ${what} answered ${status}${errors.length > 0 ? `: ${errors.join('; ').slice(0, 300)}` : ''}`);
    this.name = 'VaultHttpError';
  }
}

const errorBodySchema = z.object({ errors: z.array(z.string()) });

/**
 * One request to `/v1/<apiPath>`. Resolves with the parsed body (undefined for 204), or
 * `notFound` on 404, which KV v2 uses both for "never existed" and "deleted".
 */
export async function vaultRequest(
  connection: VaultConnection,
  method: 'GET' | 'POST' | 'PUT',
  apiPath: string,
  body?: unknown,
): Promise<unknown> {
  const what = `${method} /v1/${apiPath.split('?')[0]}`;
  let response: Response;
  try {
    response = await fetch(new URL(`v1/${apiPath}`, withTrailingSlash(connection.address)), {
      method,
      headers: { 'X-Vault-Token': connection.token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(connection.timeoutMs ?? 10_000),
    });
  } catch (error) {
    // fetch's own message may quote the URL it refused (one with credentials in it, say).
    throw new SecretStoreError(`Vault at ${redactUrl(connection.address)} did not answer ${what}: ${redactUrls((error as Error).message)}`);
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return notFound;
  }
  if (response.status === 204) return undefined;
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new SecretStoreError(`Vault ${what} answered ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) {
    const parsed = errorBodySchema.safeParse(json);
    throw new VaultHttpError(response.status, parsed.success ? parsed.data.errors : [], what);
  }
  return json;
}

export const notFound: unique symbol = Symbol('vault 404');

function redactUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, (url) => redactUrl(url));
}

function withTrailingSlash(address: string): string {
  return address.endsWith('/') ? address : `${address}/`;
}

import { lookup } from 'node:dns/promises';

/**
 * The addresses a host name resolves to, as the scanner's own resolver would find them
 * (getaddrinfo: /etc/hosts, then DNS). Injected into the scanner activities so a test can
 * make the answer change between two lookups, as DNS rebinding does.
 */
export type ResolveHost = (host: string) => Promise<string[]>;

export const resolveWithSystem: ResolveHost = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/** The host did not resolve: transient (EAI_AGAIN) as often as not, so the run may retry. */
export class HostUnresolvedError extends Error {
  override name = 'HostUnresolvedError';
}

/** Resolves `host`, turning the resolver's error into one line that names the host. */
export async function resolveOrExplain(resolve: ResolveHost, host: string): Promise<string[]> {
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    throw new HostUnresolvedError(`${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (addresses.length === 0) throw new HostUnresolvedError(`${host} does not resolve (no address)`);
  return addresses;
}

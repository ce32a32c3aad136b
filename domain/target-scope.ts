import { addressClass, canonicalHost } from './address-class';

/**
 * What a scan may target. Checked when the config loads, again by the workflow before any
 * container exists (the target may have come from elsewhere), against the addresses the host
 * name resolves to, and once more by the scanner activity right before it creates the
 * container, which then pins the addresses it checked (ExtraHosts), so DNS cannot move the
 * scan somewhere forbidden. Every one of those checks applies `refusedClass` below.
 */
export interface ScopedTarget {
  url: string;
  scope?: { hosts: string[]; allowLinkLocal: boolean };
  /** ZAP's API definition: a file, or a URL the scanner fetches, held to the same scope. */
  apiSpec?: string;
}

/** Problems with the URL itself: absolute, http(s), no embedded credentials. */
export function urlProblems(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return ['must be an absolute URL'];
  }
  const problems: string[] = [];
  if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push('must be http(s)');
  if (url.username || url.password) problems.push('must not embed credentials');
  return problems;
}

/** Problems with where a valid URL points: outside scope.hosts, or an address class the scope does not open. */
export function scopeProblems(target: ScopedTarget): string[] {
  if (urlProblems(target.url).length > 0) return [];
  const host = hostOf(target.url);
  const problems: string[] = [];
  if (target.scope && !listed(target, host)) {
    problems.push(`host ${host} is outside scope.hosts (${target.scope.hosts.join(', ')})`);
  }
  return [...problems, ...hostAddressProblems(target, host)];
}

/** Problems with a URL host that is an address itself (or a name reserved for one, as `localhost`). */
export function hostAddressProblems(target: ScopedTarget, host: string): string[] {
  const refused = refusedClass(target, host, host);
  return refused ? [`${host} is ${REFUSALS[refused].what}; ${REFUSALS[refused].remedy(host)}`] : [];
}

/**
 * Problems with the addresses `host` resolved to: the same rule as for a URL naming the
 * address itself, with the name that led there in the message.
 */
export function resolvedAddressProblems(target: ScopedTarget, host: string, addresses: string[]): string[] {
  return addresses.flatMap((address) => {
    const refused = refusedClass(target, host, address);
    return refused ? [resolvedAddressProblem(host, address, refused)] : [];
  });
}

export function resolvedAddressProblem(host: string, address: string, refused: RefusedClass): string {
  const { what, remedy } = REFUSALS[refused];
  return `${host} resolves to ${what.replace(/^an? /, '')} ${address}; ${remedy(refused === 'private' ? host : address)}`;
}

export type RefusedClass = 'unspecified' | 'link-local' | 'loopback' | 'private';

/** The classes a scope opens by listing a host; the others depend on nothing listed. */
export const OPENED_BY_LISTING: ReadonlySet<RefusedClass> = new Set(['loopback', 'private']);

const REFUSALS: Record<RefusedClass, { what: string; remedy: (listable: string) => string }> = {
  'unspecified': { what: 'an unspecified address', remedy: () => 'it means "this host" and is never scanned' },
  'link-local': { what: 'a link-local/metadata address', remedy: () => 'set scope.allowLinkLocal to scan it' },
  'loopback': { what: 'a loopback address', remedy: (listable) => `list ${listable} in scope.hosts to scan it` },
  'private': { what: 'a private address', remedy: (listable) => `list ${listable} in scope.hosts to scan it` },
};

/**
 * Why a scan of `target` may not send requests to `address`, which its URL host `host` is or
 * resolves to; undefined when it may.
 * - unspecified (0.0.0.0, ::): never; the kernel takes it for the scanner host itself.
 * - link-local and metadata: only with scope.allowLinkLocal; they hand out cloud credentials.
 * - private (RFC 1918, CGNAT, fc00::/7): only when scope.hosts lists the host or the address.
 * - loopback: only when scope.hosts lists the address, or a loopback host (`localhost`) that
 *   resolves to it: a public-looking name pointing at the scanner host's own services is
 *   DNS rebinding, whatever the scope lists.
 */
export function refusedClass(target: ScopedTarget, host: string, address: string): RefusedClass | undefined {
  const kind = addressClass(address);
  if (kind === 'unspecified') return 'unspecified';
  if (kind === 'link-local') return target.scope?.allowLinkLocal ? undefined : 'link-local';
  if (kind === 'loopback') return listed(target, address) || (addressClass(host) === 'loopback' && listed(target, host)) ? undefined : 'loopback';
  if (kind === 'private') return listed(target, host) || listed(target, address) ? undefined : 'private';
  return undefined;
}

/** Whether scope.hosts names `host`, in whichever spelling either is written. */
function listed(target: ScopedTarget, host: string): boolean {
  const wanted = canonicalHost(host);
  return target.scope?.hosts.some((entry) => canonicalHost(entry) === wanted) ?? false;
}

/** The URL's host as DNS and scope lists name it: IPv6 without its brackets. */
export function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[|\]$/g, '');
}

export function targetProblems(target: ScopedTarget): string[] {
  return [...urlProblems(target.url), ...scopeProblems(target), ...apiSpecProblems(target)];
}

/** An apiSpec given as a URL is fetched by the scanner: the same rules as the target URL. */
export function apiSpecProblems(target: ScopedTarget): string[] {
  const url = apiSpecUrl(target);
  if (!url) return [];
  return [...urlProblems(url), ...scopeProblems({ ...target, url })].map((problem) => `apiSpec: ${problem}`);
}

/** The apiSpec when it names something to fetch (any scheme), rather than a file. */
export function apiSpecUrl(target: Pick<ScopedTarget, 'apiSpec'>): string | undefined {
  return target.apiSpec && /^[a-z][a-z0-9+.-]*:/i.test(target.apiSpec) ? target.apiSpec : undefined;
}

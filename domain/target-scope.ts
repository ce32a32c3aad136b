/**
 * What a scan may target. Checked when the config loads and again by the workflow before
 * any container exists (the target may have come from elsewhere), and once more against
 * the addresses the host name resolves to (see activities), so DNS cannot smuggle a
 * metadata address in.
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

/** Problems with where a valid URL points: outside scope.hosts, or link-local without opt-in. */
export function scopeProblems(target: ScopedTarget): string[] {
  if (urlProblems(target.url).length > 0) return [];
  const host = hostOf(target.url);
  const problems: string[] = [];
  if (target.scope && !target.scope.hosts.includes(host)) {
    problems.push(`host ${host} is outside scope.hosts (${target.scope.hosts.join(', ')})`);
  }
  if (isLinkLocalAddress(host) && !target.scope?.allowLinkLocal) {
    problems.push(`${host} is a link-local/metadata address; set scope.allowLinkLocal to scan it`);
  }
  return problems;
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

/**
 * 169.254.0.0/16, fe80::/10, the well-known metadata names of the big clouds, and any IPv6
 * literal that carries one of those IPv4 addresses (IPv4-mapped, IPv4-compatible, NAT64,
 * 6to4): `[::ffff:169.254.169.254]` reaches the metadata service as surely as the IPv4 form.
 * IPv4's other spellings (decimal, hex, octal, short) need no case here: the URL parser
 * and the resolver hand us the dotted form.
 */
export function isLinkLocalAddress(host: string): boolean {
  const lower = host.toLowerCase();
  if (/^169\.254\.\d{1,3}\.\d{1,3}$/.test(lower)) return true;
  if (/^fe[89ab][0-9a-f]?:/.test(lower)) return true;
  if (lower === 'fd00:ec2::254') return true;
  if (lower === 'metadata.google.internal' || lower === 'metadata') return true;
  const carried = embeddedIpv4(lower);
  return carried !== undefined && isLinkLocalAddress(carried);
}

/** The IPv4 address an IPv6 literal carries, if it carries one. */
export function embeddedIpv4(host: string): string | undefined {
  const groups = ipv6Groups(host);
  if (!groups) return undefined;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  const dotted = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  if (zeros(0, 5) && groups[5] === 0xffff) return dotted(groups[6]!, groups[7]!); // ::ffff:a.b.c.d, IPv4-mapped
  if (zeros(0, 6) && (groups[6]! !== 0 || groups[7]! > 1)) return dotted(groups[6]!, groups[7]!); // ::a.b.c.d, IPv4-compatible (not :: or ::1)
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return dotted(groups[6]!, groups[7]!); // 64:ff9b::/96, NAT64
  if (groups[0] === 0x2002) return dotted(groups[1]!, groups[2]!); // 2002::/16, 6to4
  return undefined;
}

/** The eight 16-bit groups of an IPv6 literal (`::` expanded, a trailing dotted quad folded in), or undefined. */
function ipv6Groups(host: string): number[] | undefined {
  if (!host.includes(':')) return undefined;
  let text = host.replace(/%.*$/, '');
  const quad = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (quad) {
    const bytes = quad.slice(1).map(Number);
    if (bytes.some((b) => b > 255)) return undefined;
    text = `${text.slice(0, quad.index)}${((bytes[0]! << 8) | bytes[1]!).toString(16)}:${((bytes[2]! << 8) | bytes[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.map((g) => parseInt(g, 16));
}

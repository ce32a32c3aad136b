/**
 * What kind of place a host names, for the scope rules (target-scope.ts). One classifier for
 * the config check, the workflow and the addresses the resolver returns, so a spelling one of
 * them understands cannot slip past another. Pure: it runs in the workflow sandbox too, so
 * the parsing is ours rather than node:net's.
 *
 * `name` is a DNS name whose addresses only the resolver knows; the others are addresses (or
 * names reserved for one: `localhost`, the clouds' metadata names).
 */
export type AddressClass = 'unspecified' | 'loopback' | 'link-local' | 'private' | 'public' | 'name';

/**
 * Addresses and names of cloud metadata services outside 169.254.0.0/16 and fe80::/10: they
 * hand out credentials as surely as 169.254.169.254 does (AWS over IPv6, Alibaba, Oracle).
 */
const METADATA_ADDRESSES = new Set(['fd00:ec2::254', '100.100.100.200', '192.0.0.192']);
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata']);

export function addressClass(host: string): AddressClass {
  const bare = unbracketed(host);
  const v4 = parseIpv4(bare);
  if (v4 !== undefined) return ipv4Class(v4);
  const groups = ipv6Groups(bare);
  if (groups) return ipv6Class(groups);
  const name = bare.replace(/\.$/, '');
  // RFC 6761: localhost and everything under it is loopback, whatever a resolver says.
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (METADATA_NAMES.has(name)) return 'link-local';
  return 'name';
}

/** Whether `host` is an IP address in any spelling (then there is nothing to resolve or pin). */
export function isIpLiteral(host: string): boolean {
  const bare = unbracketed(host);
  return parseIpv4(bare) !== undefined || ipv6Groups(bare) !== undefined;
}

/**
 * One spelling per place, for comparing hosts with scope lists: IPv4 in dotted decimal,
 * IPv6 compressed as the URL parser writes it (`::ffff:a9fe:a9fe`), names in lower case.
 */
export function canonicalHost(host: string): string {
  const bare = unbracketed(host);
  const v4 = parseIpv4(bare);
  if (v4 !== undefined) return dotted(v4);
  const groups = ipv6Groups(bare);
  if (groups) return compressed(groups);
  return bare;
}

/**
 * An IPv4 address in every spelling inet_aton(3) and the WHATWG URL parser accept: one to
 * four parts, each decimal, octal (leading 0) or hex (0x), the last filling the remaining
 * bytes — `2852039166`, `0xa9fea9fe`, `0251.0376.0251.0376` and `169.254.43518` are all
 * 169.254.169.254. A trailing dot is allowed, as the URL parser allows it. Undefined for
 * anything else.
 */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  if (parts.length > 4) return undefined;
  const numbers = parts.map(ipv4Part);
  if (numbers.some((n) => n === undefined)) return undefined;
  const last = numbers.pop()!;
  if (numbers.some((n) => n! > 255) || last >= 256 ** (4 - numbers.length)) return undefined;
  return numbers.reduce<number>((sum, n, i) => sum + n! * 256 ** (3 - i), 0) + last;
}

function ipv4Part(part: string): number | undefined {
  // `0x` alone is 0 to the URL parser: it must be to us too.
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return parseInt(part, 8);
  if (/^(0|[1-9][0-9]*)$/.test(part)) return Number(part);
  return undefined;
}

function ipv4Class(address: number): AddressClass {
  const [a, b] = [address >>> 24, (address >>> 16) & 0xff];
  if (METADATA_ADDRESSES.has(dotted(address))) return 'link-local';
  // 0.0.0.0/8 is "this host" to the kernel: a connection to it lands on loopback.
  if (a === 0) return 'unspecified';
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link-local';
  // RFC 1918, and the carrier-grade NAT range (RFC 6598) that clouds use inside their networks.
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'private';
  return 'public';
}

function ipv6Class(groups: number[]): AddressClass {
  if (METADATA_ADDRESSES.has(compressed(groups))) return 'link-local';
  if (groups.every((g) => g === 0)) return 'unspecified';
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return 'loopback';
  // An IPv6 address that carries an IPv4 one reaches it: `[::ffff:169.254.169.254]` is the metadata service.
  const carried = carriedIpv4(groups);
  if (carried !== undefined) return ipv4Class(carried);
  const first = groups[0]!;
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  // fc00::/7 unique local, and the deprecated site-local fec0::/10.
  if ((first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfec0) return 'private';
  return 'public';
}

/** The IPv4 address an IPv6 literal carries (IPv4-mapped, IPv4-compatible, NAT64, 6to4), dotted, if it carries one. */
export function embeddedIpv4(host: string): string | undefined {
  const groups = ipv6Groups(unbracketed(host));
  const carried = groups && carriedIpv4(groups);
  return carried === undefined ? undefined : dotted(carried);
}

function carriedIpv4(groups: number[]): number | undefined {
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  const join = (high: number, low: number) => high * 0x10000 + low;
  if (zeros(0, 5) && groups[5] === 0xffff) return join(groups[6]!, groups[7]!); // ::ffff:a.b.c.d, IPv4-mapped
  if (zeros(0, 6) && (groups[6] !== 0 || groups[7]! > 1)) return join(groups[6]!, groups[7]!); // ::a.b.c.d, IPv4-compatible (not :: or ::1)
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return join(groups[6]!, groups[7]!); // 64:ff9b::/96, NAT64
  if (groups[0] === 0x2002) return join(groups[1]!, groups[2]!); // 2002::/16, 6to4
  return undefined;
}

/** The eight 16-bit groups of an IPv6 literal (`::` expanded, a trailing dotted quad folded in, a zone dropped), or undefined. */
function ipv6Groups(host: string): number[] | undefined {
  if (!host.includes(':')) return undefined;
  let text = host.toLowerCase().replace(/%.*$/, '');
  const quad = /(?<=:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
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

function dotted(address: number): string {
  return [address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff].join('.');
}

/** RFC 5952 as the URL parser applies it: the first longest run of two or more zero groups becomes `::`. */
function compressed(groups: number[]): string {
  let [start, length] = [-1, 1];
  for (let i = 0; i < 8; ) {
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > length) [start, length] = [i, end - i];
    i = end > i ? end : i + 1;
  }
  const hex = groups.map((g) => g.toString(16));
  if (start < 0) return hex.join(':');
  return `${hex.slice(0, start).join(':')}::${hex.slice(start + length).join(':')}`;
}

function unbracketed(host: string): string {
  return host.replace(/^\[|\]$/g, '').toLowerCase();
}

/**
 * What a scan may target. Checked when the config loads and again by the workflow before
 * any container exists (the target may have come from elsewhere), and once more against
 * the addresses the host name resolves to (see activities), so DNS cannot smuggle a
 * metadata address in.
 */
export interface ScopedTarget {
  url: string;
  scope?: { hosts: string[]; allowLinkLocal: boolean };
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
  return [...urlProblems(target.url), ...scopeProblems(target)];
}

/** 169.254.0.0/16, fe80::/10, and the well-known metadata names of the big clouds. */
export function isLinkLocalAddress(host: string): boolean {
  const lower = host.toLowerCase();
  if (/^169\.254\.\d{1,3}\.\d{1,3}$/.test(lower)) return true;
  if (/^fe[89ab][0-9a-f]?:/.test(lower)) return true;
  if (lower === 'fd00:ec2::254') return true;
  return lower === 'metadata.google.internal' || lower === 'metadata';
}

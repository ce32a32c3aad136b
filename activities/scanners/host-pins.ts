import { isIpLiteral } from '../../domain/address-class';
import { apiSpecUrl, hostAddressProblems, hostOf, resolvedAddressProblems, type ScopedTarget } from '../../domain/target-scope';
import { resolveOrExplain, type ResolveHost } from './resolve-host';

/** A host the scanner would contact resolves (or is) somewhere the target's scope forbids. */
export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
}

/**
 * Resolves every host the scanner will contact (the target's, and the apiSpec URL's when it
 * names another), checks each address with the same rule as the config, and returns the
 * `host:address` lines to pin into the container's /etc/hosts (Docker `ExtraHosts`): the
 * scanner's resolver then finds the checked addresses there before it asks DNS, so an answer
 * that changes after this check cannot move the scan. IP literals are checked but need no pin.
 * Called right before the container is created: the earlier workflow check may be hours old.
 */
export async function checkedHostPins(target: ScopedTarget, resolve: ResolveHost): Promise<string[]> {
  const urls = [target.url, apiSpecUrl(target)].filter((url): url is string => url !== undefined);
  const hosts = [...new Set(urls.map(hostOf))];
  const problems: string[] = [];
  const pins: string[] = [];
  for (const host of hosts) {
    if (isIpLiteral(host)) {
      problems.push(...hostAddressProblems(target, host));
      continue;
    }
    const addresses = await resolveOrExplain(resolve, host);
    problems.push(...resolvedAddressProblems(target, host, addresses));
    pins.push(...addresses.map((address) => `${host}:${address}`));
  }
  if (problems.length > 0) throw new TargetRefusedError(problems.join('; '));
  return pins;
}

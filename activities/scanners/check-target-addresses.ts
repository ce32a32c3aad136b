import { OPENED_BY_LISTING, hostOf, refusedClass, resolvedAddressProblem } from '../../domain/target-scope';
import { HostUnresolvedError, resolveOrExplain, resolveWithSystem, type ResolveHost } from './resolve-host';

export interface CheckTargetAddressesInput {
  url: string;
  allowLinkLocal: boolean;
  /**
   * The target's scope.hosts ([] when it has no scope). Workflows started before it was
   * passed leave it out: loopback and private answers, which only a listing opens, are then
   * left to the scanner activity's own check right before its container.
   */
  scopeHosts?: string[];
}

/**
 * The host name is checked in the workflow; here, the addresses it resolves to, so a DNS
 * name pointing at a metadata, loopback or private address is refused before the scan is
 * recorded or approved. DNS may still change afterwards: the scanner activity resolves and
 * checks again right before its container, and pins what it checked.
 */
export function createTargetAddressActivities(resolve: ResolveHost = resolveWithSystem) {
  return {
    async checkTargetAddresses(input: CheckTargetAddressesInput): Promise<string[]> {
      const host = hostOf(input.url);
      let addresses: string[];
      try {
        addresses = await resolveOrExplain(resolve, host);
      } catch (error) {
        if (error instanceof HostUnresolvedError) return [error.message];
        throw error;
      }
      const target = { url: input.url, scope: { hosts: input.scopeHosts ?? [], allowLinkLocal: input.allowLinkLocal } };
      return addresses.flatMap((address) => {
        const refused = refusedClass(target, host, address);
        if (!refused || (input.scopeHosts === undefined && OPENED_BY_LISTING.has(refused))) return [];
        return [resolvedAddressProblem(host, address, refused)];
      });
    },
  };
}

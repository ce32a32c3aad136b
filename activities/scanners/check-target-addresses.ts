import { lookup } from 'node:dns/promises';
import { hostOf, isLinkLocalAddress } from '../../domain/target-scope';

/**
 * The host name is checked in the workflow; here, the addresses it resolves to, so a DNS
 * name pointing at a metadata address is refused as well.
 */
export function createTargetAddressActivities() {
  return {
    async checkTargetAddresses(input: { url: string; allowLinkLocal: boolean }): Promise<string[]> {
      const host = hostOf(input.url);
      let addresses: string[];
      try {
        addresses = (await lookup(host, { all: true })).map((a) => a.address);
      } catch (error) {
        return [`${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'})`];
      }
      if (input.allowLinkLocal) return [];
      return addresses.filter(isLinkLocalAddress).map((address) => `${host} resolves to link-local/metadata address ${address}`);
    },
  };
}

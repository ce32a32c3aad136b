import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { scannerNetworkMode } from '../../activities/scanners/scanner-network';

/**
 * The engine's answer is faked: creating a labelled network on the shared test engine would
 * move every other test's scanner containers off the host network, away from their loopback
 * targets. What is asked of the engine (the label filter) is checked instead.
 */
function engineWith(names: string[]) {
  const filters: unknown[] = [];
  const docker = {
    listNetworks: async (options: { filters: unknown }) => {
      filters.push(options.filters);
      return names.map((Name) => ({ Name }));
    },
  } as unknown as Docker;
  return { docker, filters };
}

describe('scannerNetworkMode', () => {
  it('joins the network labelled for scanners', async () => {
    const { docker, filters } = engineWith(['secops-flow_scanners']);
    expect(await scannerNetworkMode(docker)).toBe('secops-flow_scanners');
    expect(filters).toEqual([{ label: ['secops.scanner-network=true'] }]);
  });

  it('uses the host network where no network is labelled (dev and test engines)', async () => {
    expect(await scannerNetworkMode(engineWith([]).docker)).toBe('host');
  });

  it('refuses to guess between two labelled networks', async () => {
    await expect(scannerNetworkMode(engineWith(['b-scanners', 'a-scanners']).docker)).rejects.toThrow('Docker networks a-scanners, b-scanners all carry secops.scanner-network=true: keep it on the scanners\' network only');
  });
});

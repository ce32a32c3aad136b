import type Docker from 'dockerode';

/** The label that marks the scanners' own Docker network (docker-compose.yml creates one). */
export const SCANNER_NETWORK_LABEL = 'secops.scanner-network';

/**
 * The network scanner containers join. In production, the engine's network labelled
 * `secops.scanner-network=true`: a network of their own, with no route to the worker's
 * Temporal, the Docker Engine or metadata endpoints (README, "Scanner network"). Without one,
 * the host's network: dev and test engines run with `--bridge=none`, and their targets listen
 * on the worker's loopback, which only host networking reaches.
 */
export async function scannerNetworkMode(docker: Docker): Promise<string> {
  const networks = await docker.listNetworks({ filters: { label: [`${SCANNER_NETWORK_LABEL}=true`] } });
  if (networks.length > 1) {
    throw new Error(`Docker networks ${networks.map((n) => n.Name).sort().join(', ')} all carry ${SCANNER_NETWORK_LABEL}=true: keep it on the scanners' network only`);
  }
  return networks[0]?.Name ?? 'host';
}

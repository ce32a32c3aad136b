import type Docker from 'dockerode';
import { containerInputSchema, parseInput } from './containment-input';
import { onContainer, statusOf, type DockerError } from './docker-failure';
import { inspectContainer } from './find-container';

export type IsolationResult =
  | { action: 'disconnected'; networks: string[] }
  | { action: 'paused' }
  /** Not running, and on no network it could be taken off: it sends nothing as it is. */
  | { action: 'none'; reason: 'not-running' };

/**
 * Networks a container cannot be taken off: `host` is the host's own stack, `none` has
 * nothing to leave. The default `bridge` can be left, but a container on it alone is cut off
 * by pausing instead, which also stops what it does locally.
 */
const ENGINE_NETWORKS = new Set(['host', 'none', 'bridge', 'default']);

const isUserNetwork = (name: string) => name !== '' && !ENGINE_NETWORKS.has(name) && !name.startsWith('container:');
const canLeave = (name: string) => name !== 'host' && name !== 'none';

export function createIsolateActivity(docker: Docker) {
  return {
    /**
     * Cuts the container off while keeping it as it is. On a user-defined network it is
     * disconnected from every network (Force: the endpoint goes even if the engine's network
     * state is half broken) and keeps running, so its memory and processes can still be
     * examined. Otherwise (host networking, none, the default bridge alone, another
     * container's namespace) it cannot be unplugged, so it is paused: frozen, with nothing
     * lost.
     *
     * Idempotent: a container already off its networks gives the same answer (its primary
     * network is in its config still, HostConfig.NetworkMode), a paused one `paused`. A retry
     * after an attempt that died between two disconnects names the networks the engine still
     * knows of: the primary and those left; a secondary network already left then goes
     * unnamed, since the engine forgets it.
     */
    async isolateContainer(input: { containerId: string }): Promise<IsolationResult> {
      const { containerId } = parseInput(containerInputSchema, input, 'isolateContainer input');
      const info = await inspectContainer(docker, containerId);
      const attached = info.NetworkSettings.Networks ?? {};
      const names = Object.keys(attached);
      const primary = info.HostConfig.NetworkMode ?? '';
      // NetworkMode is whatever was given at create: a name, or an id (or a prefix of one) where Networks has the name.
      const primaryAttached = names.includes(primary) || Object.values(attached).some((n) => primary.length >= 12 && n.NetworkID.startsWith(primary));
      const primaryLeft = isUserNetwork(primary) && !primaryAttached;

      if (names.some(isUserNetwork) || primaryLeft) {
        const leaving = names.filter(canLeave);
        for (const network of leaving) await disconnect(docker, network, info.Id);
        return { action: 'disconnected', networks: [...new Set([...leaving, ...(primaryLeft ? [primary] : [])])].sort() };
      }
      if (info.State.Paused) return { action: 'paused' };
      if (!info.State.Running) return { action: 'none', reason: 'not-running' };
      await onContainer(docker, info.Id, () =>
        docker.getContainer(info.Id).pause().catch((error: DockerError) => {
          if (!(statusOf(error) === 409 && /already paused/i.test(error.message ?? ''))) throw error;
        }),
      );
      return { action: 'paused' };
    },
  };
}

async function disconnect(docker: Docker, network: string, id: string): Promise<void> {
  await onContainer(docker, id, () =>
    docker.getNetwork(network).disconnect({ Container: id, Force: true }).catch((error: DockerError) => {
      // Already off it (a concurrent attempt), or the network itself is gone: either way, off it.
      const message = error.message ?? '';
      if (/is not connected to/i.test(message)) return;
      if (statusOf(error) === 404 && !/no such container/i.test(message)) return;
      throw error;
    }),
  );
}

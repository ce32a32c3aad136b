import { ApplicationFailure } from '@temporalio/activity';
import type Docker from 'dockerode';
import { incidentContainerInputSchema, parseInput } from './containment-input';
import { onContainer, statusOf } from './docker-failure';
import { inspectContainer } from './find-container';
import { heldName, isHeld } from './hold';

export interface KeptContainer {
  containerId: string;
  /** The container's name from now on (hold.ts); the first incident to hold it names it. */
  heldAs: string;
  /** The engine's state after the stop: `exited`. */
  status: string;
}

export function createStopAndKeepActivity(docker: Docker) {
  return {
    /**
     * Stops the container and keeps it, with its filesystem and logs, for as long as people
     * need it. In this order, each step idempotent:
     * 1. the hold (hold.ts), first: stopping one of our scanner containers ends its scan,
     *    whose cleanup then looks for the hold before removing the container;
     * 2. restart policy `no`: a stopped container with `always` comes back when the daemon
     *    restarts;
     * 3. SIGKILL rather than a graceful stop: the evidence is taken by now, and a SIGTERM
     *    would give the intruder's signal handlers time to run (wipe, phone home).
     * A container created with AutoRemove (`--rm`) is refused: the engine deletes it the
     * moment it stops, and no call can turn that off.
     */
    async stopAndKeepContainer(input: { containerId: string; incidentId: string }): Promise<KeptContainer> {
      const { containerId, incidentId } = parseInput(incidentContainerInputSchema, input, 'stopAndKeepContainer input');
      const info = await inspectContainer(docker, containerId);
      if (info.HostConfig.AutoRemove) {
        throw ApplicationFailure.nonRetryable(
          `${info.Name.replace(/^\//, '')} was created with --rm (AutoRemove): stopping it would delete it and its filesystem. it is left as it is (as isolation left it, if that ran); stop it by hand once nothing more is needed from it`,
          'ContainerAutoRemoves',
        );
      }
      const container = docker.getContainer(info.Id);
      const heldAs = isHeld(info.Name) ? info.Name.replace(/^\//, '') : heldName(incidentId, info.Id);
      return onContainer(docker, info.Id, async () => {
        if (!isHeld(info.Name)) await container.rename({ name: heldAs });
        const policy = info.HostConfig.RestartPolicy?.Name ?? '';
        if (policy !== '' && policy !== 'no') await container.update({ RestartPolicy: { Name: 'no', MaximumRetryCount: 0 } });
        if (info.State.Running) {
          // A paused container is running too, and is killed as it is.
          await container.kill({ signal: 'SIGKILL' }).catch((error: unknown) => {
            if (statusOf(error) !== 409) throw error;
          });
          await container.wait({ condition: 'not-running' });
        }
        const after = await container.inspect();
        return { containerId: info.Id, heldAs, status: after.State.Status };
      });
    },
  };
}

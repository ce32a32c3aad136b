import { ApplicationFailure } from '@temporalio/activity';
import type Docker from 'dockerode';
import { LABELS } from '../scanners/container-spec';
import { containerRefSchema, parseInput } from './containment-input';
import { onContainer } from './docker-failure';

export interface FoundContainer {
  /** The full id: what every later step of the playbook passes, since a hold renames the container. */
  id: string;
  name: string;
  /** One of our scanner containers. Containment is allowed on them all the same (see findContainer). */
  scanner: boolean;
}

/** An id prefix shorter than `docker ps` shows could pick any container that happens to start so. */
const MIN_ID_PREFIX = 12;

/**
 * The container `ref` names, as the engine resolves it: a name, a full id, or an id prefix of
 * at least 12 characters. A shorter prefix that is not also the exact name is refused rather
 * than trusted: isolating the wrong container is an outage of its own.
 */
export async function inspectContainer(docker: Docker, ref: unknown): Promise<Docker.ContainerInspectInfo> {
  const checked = parseInput(containerRefSchema, ref, 'container reference');
  const info = await onContainer(docker, checked, () => docker.getContainer(checked).inspect());
  const named = info.Name.replace(/^\//, '') === checked;
  if (!named && !(info.Id.startsWith(checked) && checked.length >= MIN_ID_PREFIX)) {
    throw ApplicationFailure.nonRetryable(`${checked} is no container's name, and too short an id prefix to be sure of one (give at least ${MIN_ID_PREFIX} characters)`, 'ContainerRefAmbiguous');
  }
  return info;
}

export function createFindContainer(docker: Docker) {
  return {
    /**
     * Resolves the container an alert or a person named. Our own scanner containers are
     * found too and may be isolated, examined and held like any other: a scanner talks to
     * untrusted sites, so it can be the one compromised. `scanner` says so for the incident
     * record; holding one also keeps its scan's own cleanup from removing it (hold.ts).
     */
    async findContainer(ref: string): Promise<FoundContainer> {
      const info = await inspectContainer(docker, ref);
      return { id: info.Id, name: info.Name.replace(/^\//, ''), scanner: info.Config.Labels?.[LABELS.managed] === 'true' };
    },
  };
}

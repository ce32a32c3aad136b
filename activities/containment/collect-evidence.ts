import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { activityContext } from './activity-context';
import { boundedContainerLogs } from './container-logs';
import { incidentContainerInputSchema, parseInput } from './containment-input';
import { onContainer, statusOf } from './docker-failure';
import { writeEvidenceOnce, type EvidenceKind, type EvidenceRef, type EvidenceSource } from './evidence-file';
import { filesystemExport } from './filesystem-export';
import { inspectContainer } from './find-container';

export interface EvidenceInput {
  incidentId: string;
  containerId: string;
}

export interface EvidenceDeps {
  docker: Docker;
  /** Incident `x`'s evidence goes to `<artifactRoot>/x/evidence/`. */
  artifactRoot: string;
  logsCapBytes: number;
}

type Collect = (docker: Docker, info: Docker.ContainerInspectInfo, signal?: AbortSignal) => EvidenceSource;

const json = (value: unknown) => Readable.from([Buffer.from(`${JSON.stringify(value, null, 2)}\n`)]);

/**
 * One activity per kind of evidence, each writing one file (evidence-file.ts) and returning
 * its reference. An incident's file of a kind, once there, is the answer: even when the
 * container has been removed since (a retry after the worker died past the capture), and
 * whatever container the call names, since an incident's evidence set is of one container.
 * Otherwise the container is resolved first, so a missing one fails for good and leaves no
 * file, and every engine call after uses its full id.
 */
export function createEvidenceActivities({ docker, artifactRoot, logsCapBytes }: EvidenceDeps) {
  const collector = (kind: EvidenceKind, collect: Collect) => async (input: EvidenceInput): Promise<EvidenceRef> => {
    const { incidentId, containerId } = parseInput(incidentContainerInputSchema, input, `${kind} evidence input`);
    const signal = activityContext()?.cancellationSignal;
    const source: EvidenceSource = async () => collect(docker, await inspectContainer(docker, containerId), signal)();
    return onContainer(docker, containerId, () => writeEvidenceOnce({ artifactRoot, incidentId }, kind, source, signal));
  };

  return {
    /** `docker inspect`: configuration, mounts, networks, state, as the engine reported them at capture. */
    collectInspectEvidence: collector('inspect', (_docker, info) => async () => json(info)),

    /** stdout and stderr with timestamps, bounded (container-logs.ts). */
    collectLogsEvidence: collector('logs', (d, info, signal) => async () => boundedContainerLogs(d, info, logsCapBytes, signal)),

    /** `docker diff`: the paths added (Kind 1), changed (0) and deleted (2) against the image. */
    collectChangesEvidence: collector('changes', (d, info) => async () => json((await d.getContainer(info.Id).changes()) ?? [])),

    /**
     * The processes (`docker top`). A container that is not running (it exited, or was
     * stopped before this step) is recorded as such, with its state, instead of failing:
     * "nothing ran when we looked" is itself the answer, a retry would not change it, and the
     * incident's evidence set stays complete whatever order the steps ran in.
     */
    collectProcessesEvidence: collector('processes', (d, info) => async () => {
      try {
        return json({ running: true, ...(await d.getContainer(info.Id).top()) });
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
        const { State } = await d.getContainer(info.Id).inspect();
        return json({ running: false, state: State });
      }
    }),

    /** `docker export`, streamed to disk and hashed on the way: a filesystem can be gigabytes. */
    collectFilesystemEvidence: collector('filesystem', (d, info, signal) => async () => {
      const context = activityContext();
      return filesystemExport(d, info.Id, (progress) => context?.heartbeat(progress), signal);
    }),
  };
}

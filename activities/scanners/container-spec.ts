import type { ContainerCreateOptions } from 'dockerode';
import type { Target } from '../../domain/config';

/** Which Temporal activity a scanner container belongs to: the reaper's key after a crash. */
export interface ScanRunIds {
  workflowId: string;
  runId: string;
  activityId: string;
}

/**
 * Whose scanner container it is. Several deployments may share one Docker Engine (a dev
 * stack beside CI, test files running in parallel, two teams on one scanner host), and a
 * reaper can only tell whether a run is over by asking its own Temporal server: a workflow
 * id another server runs looks "gone" to it. So each container names its deployment and a
 * reaper only ever lists those of its own.
 */
export interface ScanContainerOwner extends ScanRunIds {
  deployment: string;
}

/** What identifies a deployment: the scanner task queue of one namespace of one Temporal service. */
export interface ScannerDeployment {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
}

/** The `secops.deployment` label value, the same for the worker's reaper and for its activities. */
export function deploymentLabel({ temporalAddress, namespace, taskQueue }: ScannerDeployment): string {
  return `${temporalAddress}/${namespace}/${taskQueue}`;
}

/** What an engine module needs, besides its own conventions, to build a run's container spec. */
export interface EngineRunInput {
  target: Target;
  image: string;
  /** Host directory for this run's inputs and reports; it exists when the container starts. */
  workDir: string;
  labels: ScanContainerOwner;
  /** The worker's ids: an image that runs as anyone runs as the worker, so its reports belong to it. */
  hostUser: { uid: number; gid: number };
}

/** How to get the image when the engine does not have it. */
export interface ImageSource {
  /** False for locally built names, which a registry must never be asked for (anyone could publish one). */
  pullable: boolean;
  /** What a person runs to get the image, shown when it is missing and cannot be pulled. */
  howToGet: string;
}

/**
 * A file the run reads, put into the work dir under `name` before the container starts: a
 * host file copied (`source`), or text the activity generated (`content`).
 */
export type WorkDirInput = { name: string; source: string } | { name: string; content: string };

/** One scanner run, engine-agnostic: what run-container needs to start it under the hardening below. */
export interface ScanContainerSpec {
  image: string;
  imageSource: ImageSource;
  cmd: string[];
  /** Host directory mounted read-write at containerWorkDir: inputs in, reports out. */
  workDir: string;
  containerWorkDir: string;
  inputs?: WorkDirInput[];
  /** The uid the scanner writes the work dir as; run-container makes the host dir writable for it. */
  workDirUid: number;
  env?: Record<string, string>;
  limits: Target['limits'];
  labels: ScanContainerOwner;
  /** Hard stop: the container is killed after this, whatever the scanner's own time limit does. */
  maxSeconds: number;
  user?: string;
  /** Off only for images that write outside /tmp and the work dir (ZAP writes its home). */
  readonlyRootfs: boolean;
}

export const LABELS = {
  managed: 'secops.managed',
  deployment: 'secops.deployment',
  workflowId: 'secops.workflow-id',
  runId: 'secops.run-id',
  activityId: 'secops.activity-id',
} as const;

const TMPFS_OPTIONS = 'rw,noexec,nosuid,size=256m';

/** Where the container's traffic goes, decided right before it is created. */
export interface ContainerNetwork {
  /** `host`, or the name of the scanners' own Docker network (scanner-network.ts). */
  mode: string;
  /** `host:address` lines for the container's /etc/hosts: the addresses checked for scope (host-pins.ts). */
  extraHosts: string[];
}

/** The host's network with nothing pinned: an IP-literal target on a dev engine (and the benchmark's `docker run`). */
const HOST_NETWORK: ContainerNetwork = { mode: 'host', extraHosts: [] };

export function containerCreateOptions(spec: ScanContainerSpec, network: ContainerNetwork = HOST_NETWORK): ContainerCreateOptions {
  return {
    Image: spec.image,
    Cmd: spec.cmd,
    WorkingDir: spec.containerWorkDir,
    ...(spec.user ? { User: spec.user } : {}),
    Env: Object.entries(spec.env ?? {}).map(([name, value]) => `${name}=${value}`),
    Labels: {
      [LABELS.managed]: 'true',
      [LABELS.deployment]: spec.labels.deployment,
      [LABELS.workflowId]: spec.labels.workflowId,
      [LABELS.runId]: spec.labels.runId,
      [LABELS.activityId]: spec.labels.activityId,
    },
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      // The scanners' own network in production; the host's in dev and tests, where targets
      // listen on loopback and the engine may have no bridge at all (scanner-network.ts).
      NetworkMode: network.mode,
      // The scanner resolves the target's name to the addresses checked for scope, whatever DNS says by then.
      ExtraHosts: network.extraHosts,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: spec.readonlyRootfs,
      Tmpfs: { '/tmp': TMPFS_OPTIONS },
      Memory: spec.limits.memoryMb * 1024 * 1024,
      // Without a swap limit of its own, the container may swap as much again as its memory.
      MemorySwap: spec.limits.memoryMb * 1024 * 1024,
      NanoCpus: Math.round(spec.limits.cpus * 1e9),
      PidsLimit: spec.limits.pids,
      Binds: [`${spec.workDir}:${spec.containerWorkDir}:rw`],
      // run-container removes it itself, after it has read the exit code and the last logs.
      AutoRemove: false,
    },
  };
}

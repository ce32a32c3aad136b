import type Docker from 'dockerode';
import { createEvidenceActivities } from './collect-evidence';
import { DEFAULT_LOGS_CAP_BYTES } from './container-logs';
import { createFindContainer } from './find-container';
import { createIsolateActivity } from './isolate-container';
import { createStopAndKeepActivity } from './stop-and-keep';

export type { EvidenceInput } from './collect-evidence';
export type { EvidenceKind, EvidenceRef } from './evidence-file';
export type { FoundContainer } from './find-container';
export type { IsolationResult } from './isolate-container';
export type { KeptContainer } from './stop-and-keep';

export interface ContainmentDeps {
  docker: Docker;
  /** The artifacts dir: incident `x`'s evidence goes to `<artifactRoot>/x/evidence/`. */
  artifactRoot: string;
  /** The most of a container's logs kept as evidence (container-logs.ts). */
  logsCapBytes?: number;
}

/**
 * The side effects of the `suspicious-container` playbook, in its order: find the container,
 * take the evidence, cut it off, stop it and keep it.
 */
export function createContainmentActivities({ docker, artifactRoot, logsCapBytes = DEFAULT_LOGS_CAP_BYTES }: ContainmentDeps) {
  return {
    ...createFindContainer(docker),
    ...createEvidenceActivities({ docker, artifactRoot, logsCapBytes }),
    ...createIsolateActivity(docker),
    ...createStopAndKeepActivity(docker),
  };
}

export type ContainmentActivities = ReturnType<typeof createContainmentActivities>;

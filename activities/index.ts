import type Docker from 'dockerode';
import type { WebClient } from '@slack/web-api';
import type { Database } from '../store/database';
import { createDockerChecks } from './preflight/docker';
import { createSlackChecks } from './preflight/slack';
import { createStoreChecks } from './preflight/store';

/** What activities touch; tests pass real local services or fakes of the same shape. */
export interface ActivityDeps {
  docker: Docker;
  store: { db: Database; url: string } | undefined;
  slack: WebClient | undefined;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createDockerChecks(deps.docker),
    ...createStoreChecks(deps.store),
    ...createSlackChecks(deps.slack),
  };
}

export type Activities = ReturnType<typeof createActivities>;

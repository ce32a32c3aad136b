import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { inject } from 'vitest';
import type { Activities } from '../../activities';
import type { TaskQueueNames, WorkerRole } from '../../domain/task-queues';
import { createWorkers } from '../../worker/create-workers';
import { bundleWorkflows } from '../../worker/workflow-bundle';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Task queues unique to one test, so test files share the dev server without sharing work. */
export function uniqueTaskQueues(): TaskQueueNames {
  const id = randomUUID().slice(0, 8);
  return { control: `test-control-${id}`, scanners: `test-scanners-${id}` };
}

export async function devServerClient(dataConverter?: DataConverter): Promise<Client> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  return new Client({ connection, dataConverter });
}

export interface RunningWorkers {
  client: Client;
  taskQueues: TaskQueueNames;
  /** Runs `fn` while the workers poll, then shuts them down and waits until they have stopped. */
  during<T>(fn: () => Promise<T>): Promise<T>;
}

/** Real workers (the same createWorkers as production) against the run's dev server. */
export async function startWorkers(activities: Activities, roles: WorkerRole[] = ['control', 'scanners'], dataConverter?: DataConverter): Promise<RunningWorkers> {
  bundle ??= bundleWorkflows();
  const taskQueues = uniqueTaskQueues();
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const workers: Worker[] = await createWorkers({ connection, namespace: 'default', roles, taskQueues, activities, workflowBundle: await bundle, dataConverter });
  const client = await devServerClient(dataConverter);
  return {
    client,
    taskQueues,
    async during(fn) {
      const running = workers.map((w) => w.run());
      try {
        return await fn();
      } finally {
        workers.forEach((w) => w.shutdown());
        await Promise.all(running);
        await connection.close();
        await client.connection.close();
      }
    },
  };
}

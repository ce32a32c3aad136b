import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Activities } from '../activities';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter';
import type { TaskQueueNames, WorkerRole } from '../domain/task-queues';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  roles: WorkerRole[];
  taskQueues: TaskQueueNames;
  activities: Activities;
  workflowBundle: WorkflowBundleWithSourceMap;
  /** Encrypts payloads (codec/); every client and worker of a deployment shares it. Failures are encoded as payloads either way. */
  dataConverter?: DataConverter;
}

/**
 * One Worker per role. Only the control role runs workflows; the scanner role runs
 * activities only, so scanner hosts need a Docker Engine and nothing else.
 */
export function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  return Promise.all(
    setup.roles.map((role) =>
      Worker.create({
        connection: setup.connection,
        namespace: setup.namespace,
        taskQueue: setup.taskQueues[role],
        activities: setup.activities,
        // Activity failures as the bundled workflow code encodes its own: message and stack in a payload.
        dataConverter: { failureConverterPath: FAILURE_CONVERTER_PATH, ...setup.dataConverter },
        ...(role === 'control' ? { workflowBundle: setup.workflowBundle } : {}),
        // On SIGINT/SIGTERM: stop polling, give in-flight activities this long, then cancel them.
        shutdownGraceTime: '20 seconds',
        // Heartbeats reach the server (and cancellations come back) at least this often.
        maxHeartbeatThrottleInterval: '2 seconds',
      }),
    ),
  );
}

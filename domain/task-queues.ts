/**
 * Worker roles are task queues: orchestration and light activities run on the control
 * queue; anything that needs a Docker Engine runs on the scanner queue so scanner hosts
 * can be scaled (and secured) separately.
 */
export const TASK_QUEUES = {
  control: 'secops-control',
  scanners: 'secops-scanners',
} as const;

export type WorkerRole = keyof typeof TASK_QUEUES;
export const WORKER_ROLES = Object.keys(TASK_QUEUES) as WorkerRole[];

export type TaskQueueNames = Record<WorkerRole, string>;

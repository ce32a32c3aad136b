import { ApplicationFailure } from '@temporalio/activity';
import type Docker from 'dockerode';
import { describeDockerError, dockerEndpoint } from '../scanners/docker-errors';

export interface DockerError {
  statusCode?: number;
  message?: string;
}

export function statusOf(error: unknown): number | undefined {
  return (error as DockerError).statusCode;
}

/**
 * What a failed engine call becomes for Temporal. A missing container stays missing, a
 * request the engine calls bad (400, e.g. an id prefix that matches several containers)
 * stays bad, and an engine that cannot do the thing at all (501, e.g. a logging driver that
 * cannot be read) will not learn to: these fail for good. Anything else from the engine (a
 * restart, a busy daemon, a socket that is not there yet) is retried with a message a
 * person can act on.
 * Cancellations and failures already decided pass through.
 */
export function containmentFailure(error: unknown, docker: Docker, ref: string): unknown {
  if (error instanceof ApplicationFailure || (error as Error).name === 'AbortError') return error;
  // The artifact dir's, not the engine's (a full disk): retried as it is, under its own name.
  if ((error as NodeJS.ErrnoException).path !== undefined) return error;
  const status = statusOf(error);
  if (status === 404) return notFound(docker, ref);
  if (status === 400 || status === 501) return ApplicationFailure.nonRetryable(`container ${ref}: ${describeDockerError(error, docker)}`, 'DockerRefused');
  if (status !== undefined || (error as NodeJS.ErrnoException).code) {
    return ApplicationFailure.retryable(`container ${ref}: ${describeDockerError(error, docker)}`, 'DockerError');
  }
  return error;
}

export function notFound(docker: Docker, ref: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`no container ${ref} in the Docker Engine at ${dockerEndpoint(docker)}`, 'ContainerNotFound');
}

/** Runs `act`, turning what it throws into containmentFailure's answer. */
export async function onContainer<T>(docker: Docker, ref: string, act: () => Promise<T>): Promise<T> {
  try {
    return await act();
  } catch (error) {
    throw containmentFailure(error, docker, ref);
  }
}

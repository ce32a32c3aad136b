import type Docker from 'dockerode';

/** Where this Docker client connects, for messages: DOCKER_HOST or the default socket. */
export function dockerEndpoint(docker: Docker): string {
  const modem = docker.modem as { socketPath?: string; host?: string; port?: number; protocol?: string };
  if (modem.socketPath) return `unix://${modem.socketPath}`;
  return `${modem.protocol ?? 'http'}://${modem.host}:${modem.port ?? ''}`;
}

/** One line a person can act on, instead of a bare ECONNREFUSED. */
export function describeDockerError(error: unknown, docker: Docker): string {
  const code = (error as NodeJS.ErrnoException).code;
  const endpoint = dockerEndpoint(docker);
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'ETIMEDOUT') {
    return `Docker Engine unreachable at ${endpoint} (${code}): start dockerd or set DOCKER_HOST`;
  }
  return `Docker Engine at ${endpoint} failed: ${(error as Error).message ?? String(error)}`;
}

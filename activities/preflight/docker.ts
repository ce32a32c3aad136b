import type Docker from 'dockerode';
import type { CheckResult } from '../../domain/preflight';
import { describeDockerError } from '../scanners/docker-errors';

export function createDockerChecks(docker: Docker) {
  return {
    /** The Docker Engine answers, and which version it is. */
    async checkDocker(): Promise<CheckResult> {
      try {
        const version = await docker.version();
        return { check: 'docker', status: 'ok', detail: `Docker Engine ${version.Version} (API ${version.ApiVersion}, ${version.Os}/${version.Arch})` };
      } catch (error) {
        return { check: 'docker', status: 'failed', detail: describeDockerError(error, docker) };
      }
    },

    /** Every scanner image the config uses is present locally (a missing one is built or pulled before a scan). */
    async checkScannerImages(images: string[]): Promise<CheckResult> {
      const missing: string[] = [];
      try {
        for (const image of images) {
          const present = await docker
            .getImage(image)
            .inspect()
            .then(() => true, (error: { statusCode?: number }) => (error.statusCode === 404 ? false : Promise.reject(error)));
          if (!present) missing.push(image);
        }
      } catch (error) {
        return { check: 'scanner images', status: 'failed', detail: describeDockerError(error, docker) };
      }
      if (missing.length === 0) return { check: 'scanner images', status: 'ok', detail: `present: ${images.join(', ') || 'none configured'}` };
      return { check: 'scanner images', status: 'warn', detail: `missing: ${missing.join(', ')} (pulled or built before the first scan)` };
    },
  };
}

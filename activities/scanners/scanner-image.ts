import type Docker from 'dockerode';
import type { ScanContainerSpec } from './container-spec';

/** The image is neither in the engine nor pullable; the message says how to get it. */
export class ScannerImageMissingError extends Error {
  override name = 'ScannerImageMissingError';
}

interface PullEvent {
  status?: string;
  id?: string;
  progress?: string;
}

/** Makes sure the engine has the spec's image: present, else pulled (when allowed), else a clear error. */
export async function ensureScannerImage(docker: Docker, spec: ScanContainerSpec, log: (line: string) => void): Promise<void> {
  const { image, imageSource } = spec;
  const present = await docker.getImage(image).inspect().then(() => true, (error: { statusCode?: number }) => {
    if (error.statusCode === 404) return false;
    throw error;
  });
  if (present) return;
  const missing = `scanner image ${image} is not in the Docker Engine`;
  if (!imageSource.pullable) throw new ScannerImageMissingError(`${missing}: ${imageSource.howToGet}`);
  log(`pulling ${image}`);
  try {
    await pull(docker, image, log);
  } catch (error) {
    throw new ScannerImageMissingError(`${missing} and pulling it failed (${(error as Error).message}): ${imageSource.howToGet}`);
  }
}

function pull(docker: Docker, image: string, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.pull(image, {}, (error, stream) => {
      if (error || !stream) return reject(error ?? new Error('no pull stream'));
      docker.modem.followProgress(
        stream,
        (finished: Error | null) => (finished ? reject(finished) : resolve()),
        // Layer-level "Downloading" ticks are many per second: keep the state changes only.
        (event: PullEvent) => {
          if (event.status && !event.progress) log(`${event.id ? `${event.id}: ` : ''}${event.status}`);
        },
      );
    });
  });
}

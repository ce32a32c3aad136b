import type Docker from 'dockerode';
import type { ScanContainerSpec } from './container-spec';

/** The image is neither in the engine nor pullable; the message says how to get it. */
export class ScannerImageMissingError extends Error {
  override name = 'ScannerImageMissingError';
}

/** One line of the engine's pull stream (`/images/create`): a layer's state, or the error that ended the pull. */
interface PullEvent {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
}

export interface ImagePullHooks {
  log(line: string): void;
  /**
   * Called on every event of the pull stream. A first pull of a scanner image takes minutes,
   * far longer than the activity's heartbeat timeout: without beats Temporal would time the
   * attempt out and start another beside it, pulling the same image again.
   */
  heartbeat(progress: { elapsedSeconds: number; lastLine: string }): void;
}

/** Makes sure the engine has the spec's image: present, else pulled (when allowed), else a clear error. */
export async function ensureScannerImage(docker: Docker, spec: ScanContainerSpec, hooks: ImagePullHooks): Promise<void> {
  const { image, imageSource } = spec;
  const present = await docker.getImage(image).inspect().then(() => true, (error: { statusCode?: number }) => {
    if (error.statusCode === 404) return false;
    throw error;
  });
  if (present) return;
  const missing = `scanner image ${image} is not in the Docker Engine`;
  if (!imageSource.pullable) throw new ScannerImageMissingError(`${missing}: ${imageSource.howToGet}`);
  hooks.log(`pulling ${image}`);
  try {
    await pull(docker, image, hooks);
  } catch (error) {
    throw new ScannerImageMissingError(`${missing} and pulling it failed (${(error as Error).message}): ${imageSource.howToGet}`);
  }
}

function pull(docker: Docker, image: string, hooks: ImagePullHooks): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    docker.pull(image, {}, (error, stream) => {
      if (error || !stream) return reject(error ?? new Error('no pull stream'));
      // The engine reports a failure met mid-pull (a layer that cannot be fetched) as an event
      // of a stream that then ends normally: that event, not the end, decides the outcome.
      let failed: string | undefined;
      docker.modem.followProgress(
        stream,
        (finished: Error | null) => (finished ? reject(finished) : failed ? reject(new Error(failed)) : resolve()),
        (event: PullEvent) => {
          if (event.error) failed ??= event.error;
          const state = `${event.id ? `${event.id}: ` : ''}${event.error ?? event.status ?? ''}`;
          hooks.heartbeat({ elapsedSeconds: Math.round((Date.now() - started) / 1000), lastLine: `pulling ${image}: ${state}${event.progress ? ` ${event.progress}` : ''}` });
          // Layer-level "Downloading" ticks are many per second: log the state changes only.
          if (!event.progress) hooks.log(state);
        },
      );
    });
  });
}

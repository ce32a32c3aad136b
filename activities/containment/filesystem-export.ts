import type Docker from 'dockerode';

export interface ExportProgress {
  bytes: number;
}

/** Often enough for any sensible heartbeat timeout, rarely enough to cost nothing. */
const HEARTBEAT_EVERY_MS = 2_000;

/**
 * The container's whole filesystem as the engine exports it (`docker export`, a tar), as it
 * streams, beating `heartbeat` as bytes arrive. The beats follow the bytes, not a clock: an
 * export that stalls stops beating, its heartbeat timeout ends the attempt and a retry
 * starts over. Ending the iteration early (a cancel, a full disk) closes the engine's stream.
 */
export async function* filesystemExport(docker: Docker, id: string, heartbeat: (progress: ExportProgress) => void, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const tar = (await docker.getContainer(id).export(signal ? { abortSignal: signal } : {})) as AsyncIterable<Buffer>;
  let bytes = 0;
  let lastBeat = 0;
  for await (const chunk of tar) {
    bytes += chunk.length;
    if (Date.now() - lastBeat >= HEARTBEAT_EVERY_MS) {
      lastBeat = Date.now();
      heartbeat({ bytes });
    }
    yield chunk;
  }
  heartbeat({ bytes });
}

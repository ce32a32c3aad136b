import type Docker from 'dockerode';
import type DockerModem from 'docker-modem';

/** Unless the deps say otherwise: plenty for a service's recent history, little for a disk. */
export const DEFAULT_LOGS_CAP_BYTES = 16 * 1024 * 1024;

/**
 * The container's stdout and stderr as the engine has them, each line with the engine's
 * timestamp and, unless the container has a TTY (one stream then), prefixed with its
 * stream, at most `capBytes` of it. Past the cap the file keeps the first and the last half
 * and says how much it left out between them: how the intruder got in is often at the start,
 * what they did last at the end.
 */
export async function* boundedContainerLogs(docker: Docker, info: Docker.ContainerInspectInfo, capBytes: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const tty = info.Config.Tty;
  yield Buffer.from(`# logs of container ${info.Id} (${info.Name.replace(/^\//, '')}): ${tty ? 'a TTY, stdout and stderr as one stream' : 'each line prefixed with its stream'}, engine timestamps\n`);
  const raw = await logStream(docker, info.Id, signal);
  yield* headAndTail(tty ? raw : prefixedFrames(raw), capBytes);
}

/**
 * The logs as a stream even without `follow`: dockerode buffers a non-following answer whole
 * in memory, and a noisy container has gigabytes of logs.
 */
function logStream(docker: Docker, id: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
  const modem = docker.modem as DockerModem;
  return new Promise((resolve, reject) => {
    modem.dial(
      {
        path: `/containers/${id}/logs?`,
        method: 'GET',
        isStream: true,
        options: { stdout: true, stderr: true, timestamps: true, follow: false },
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error', 501: 'logging driver cannot be read' },
        ...(signal ? { abortSignal: signal } : {}),
      } as DockerModem.DialOptions,
      (error, stream) => (error ? reject(error) : resolve(stream as AsyncIterable<Buffer>)),
    );
  });
}

/**
 * The engine's multiplexed format, for containers without a TTY: frames of an 8-byte header
 * (stream type 1 stdout, 2 stderr; payload size big-endian at byte 4) and the payload, one
 * log line each with the timestamps on.
 */
export async function* prefixedFrames(raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of raw) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      yield Buffer.concat([Buffer.from(pending[0] === 2 ? 'stderr ' : 'stdout '), pending.subarray(8, 8 + size)]);
      pending = pending.subarray(8 + size);
    }
  }
  if (pending.length) yield Buffer.from(`\n# the engine's answer ended inside a frame: ${pending.length} bytes left unread\n`);
}

/** The first half of `cap` as it comes, the last half held back (never more than that in memory). */
export async function* headAndTail(source: AsyncIterable<Buffer>, cap: number): AsyncGenerator<Buffer> {
  const headCap = Math.ceil(cap / 2);
  const tailCap = cap - headCap;
  let headLeft = headCap;
  const tail: Buffer[] = [];
  let tailBytes = 0;
  let omitted = 0;
  for await (const chunk of source) {
    let rest = chunk;
    if (headLeft > 0) {
      const head = rest.subarray(0, headLeft);
      headLeft -= head.length;
      rest = rest.subarray(head.length);
      yield head;
    }
    if (!rest.length) continue;
    tail.push(rest);
    tailBytes += rest.length;
    while (tailBytes > tailCap) {
      const first = tail[0]!;
      const excess = tailBytes - tailCap;
      if (first.length <= excess) {
        tail.shift();
        tailBytes -= first.length;
        omitted += first.length;
      } else {
        tail[0] = first.subarray(excess);
        tailBytes -= excess;
        omitted += excess;
      }
    }
  }
  if (omitted) yield Buffer.from(`\n# truncated: ${omitted} bytes of logs left out here; this file keeps the first ${headCap} and the last ${tailCap} bytes\n`);
  yield* tail;
}

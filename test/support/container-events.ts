import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { LABELS } from '../../activities/scanners/container-spec';

/**
 * What the Docker Engine did to containers labelled with `workflowId` from `since` until now
 * (create, start, die, destroy …): its event log, so a container that came and went already
 * still shows. A scanner run that must never have started has none.
 */
export async function containerEventsOf(docker: Docker, workflowId: string, since: Date): Promise<string[]> {
  // `until` in whole seconds, one past now: the engine ends the stream there instead of following it.
  const until = Math.floor(Date.now() / 1000) + 1;
  const stream = await docker.getEvents({ since: Math.floor(since.getTime() / 1000), until, filters: { type: ['container'], label: [`${LABELS.workflowId}=${workflowId}`] } });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  await new Promise((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  return text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { Action: string }).Action);
}

/**
 * Inspects the container of `workflowId` the moment the engine reports it created: call it
 * before starting the run (it listens from then on). A scan lasts seconds, so polling could
 * miss its container altogether; the event cannot. Rejects after `timeoutMs` with the reason.
 */
export async function inspectWhenCreated(docker: Docker, workflowId: string, timeoutMs: number): Promise<{ inspected: Promise<Docker.ContainerInspectInfo> }> {
  const stream = await docker.getEvents({ filters: { type: ['container'], event: ['create'], label: [`${LABELS.workflowId}=${workflowId}`] } });
  const inspected = new Promise<Docker.ContainerInspectInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no container labelled ${LABELS.workflowId}=${workflowId} was created within ${timeoutMs / 1000} s`)), timeoutMs);
    stream.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      const { id } = JSON.parse(chunk.toString('utf8').split('\n')[0] ?? '{}') as { id: string };
      docker.getContainer(id).inspect().then(resolve, reject);
    });
    stream.once('error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
  }).finally(() => (stream as NodeJS.ReadableStream & { destroy(): void }).destroy());
  // Awaited by the caller later, after it has started the run.
  inspected.catch(() => undefined);
  return { inspected };
}

export interface RemovalWatch {
  /** The id of the first container carrying the label that the engine removed. */
  removed: Promise<string>;
  close(): void;
}

/**
 * Watches the engine's `destroy` events of containers labelled `label` (`key=value`): a
 * removal is waited for as the event it is, not polled for against a clock. The engine
 * sends only events after the subscription, so watch before the act that removes them.
 */
export async function watchRemoval(docker: Docker, label: string): Promise<RemovalWatch> {
  const stream = (await docker.getEvents({ filters: { type: ['container'], event: ['destroy'], label: [label] } })) as Readable;
  const removed = new Promise<string>((resolve, reject) => {
    createInterface({ input: stream }).once('line', (line) => resolve((JSON.parse(line) as { id: string }).id));
    stream.once('error', reject);
  });
  return { removed, close: () => stream.destroy() };
}

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';

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

import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { ScanContainerSpec } from '../../activities/scanners/container-spec';
import { ensureScannerImage, ScannerImageMissingError } from '../../activities/scanners/scanner-image';

/**
 * No registry is reachable here, so the engine side of a pull is a fake: `docker.pull`
 * hands back a stream the test writes the engine's JSON lines into, and dockerode's own
 * `modem.followProgress` parses it as it would the engine's. The pull never succeeds: the
 * stream ends with the error event a registry failure produces mid-pull.
 */
function fakeEngine() {
  const stream = new PassThrough();
  const pulled: string[] = [];
  const docker = {
    getImage: () => ({ inspect: () => Promise.reject(Object.assign(new Error('no such image'), { statusCode: 404 })) }),
    pull: (image: string, _options: object, callback: (error: Error | null, stream: PassThrough) => void) => {
      pulled.push(image);
      callback(null, stream);
    },
    modem: new Docker().modem,
  } as unknown as Docker;
  const send = (event: object) => stream.write(`${JSON.stringify(event)}\r\n`);
  return { docker, stream, pulled, send };
}

const spec = {
  image: 'registry.example.test/zaproxy/zaproxy:stable',
  imageSource: { pullable: true, howToGet: 'docker load -i zap.tar' },
} as ScanContainerSpec;

describe('pulling a scanner image', () => {
  it('heartbeats on every event of the pull stream, and fails with the error the stream reports', async () => {
    const { docker, stream, pulled, send } = fakeEngine();
    const beats: string[] = [];
    const logs: string[] = [];
    let firstBeat!: () => void;
    const beating = new Promise<void>((resolve) => (firstBeat = resolve));
    const pulling = ensureScannerImage(docker, spec, {
      log: (line) => logs.push(line),
      heartbeat: ({ lastLine }) => {
        beats.push(lastLine);
        firstBeat();
      },
    });
    const outcome = pulling.catch((error: unknown) => error);

    send({ status: 'Pulling from zaproxy/zaproxy', id: 'stable' });
    // The first beat comes while the stream is still open: the attempt stays alive during a long pull.
    await beating;
    expect(stream.writableEnded).toBe(false);
    send({ status: 'Pulling fs layer', id: 'a1b2c3' });
    send({ status: 'Downloading', progressDetail: { current: 1_048_576, total: 52_428_800 }, progress: '[>      ]  1.049MB/52.43MB', id: 'a1b2c3' });
    send({ status: 'Downloading', progressDetail: { current: 2_097_152, total: 52_428_800 }, progress: '[>      ]  2.097MB/52.43MB', id: 'a1b2c3' });
    send({ errorDetail: { message: 'read tcp: connection reset by peer' }, error: 'read tcp: connection reset by peer' });
    stream.end();

    const error = await outcome;
    expect(error).toBeInstanceOf(ScannerImageMissingError);
    expect((error as Error).message).toBe(`scanner image ${spec.image} is not in the Docker Engine and pulling it failed (read tcp: connection reset by peer): docker load -i zap.tar`);
    expect(pulled).toEqual([spec.image]);
    expect(beats).toEqual([
      `pulling ${spec.image}: stable: Pulling from zaproxy/zaproxy`,
      `pulling ${spec.image}: a1b2c3: Pulling fs layer`,
      `pulling ${spec.image}: a1b2c3: Downloading [>      ]  1.049MB/52.43MB`,
      `pulling ${spec.image}: a1b2c3: Downloading [>      ]  2.097MB/52.43MB`,
      `pulling ${spec.image}: read tcp: connection reset by peer`,
    ]);
    // The log keeps the state changes, not the byte counts.
    expect(logs).toEqual([`pulling ${spec.image}`, 'stable: Pulling from zaproxy/zaproxy', 'a1b2c3: Pulling fs layer', 'read tcp: connection reset by peer']);
  });

  it('never asks a registry for a locally built image, and says how to build it', async () => {
    const { docker, pulled } = fakeEngine();
    const beats: unknown[] = [];
    const local = { ...spec, image: 'secops-flow/wapiti:latest', imageSource: { pullable: false, howToGet: 'build it: `secops scanners build`' } };
    await expect(ensureScannerImage(docker, local, { log: () => undefined, heartbeat: (beat) => beats.push(beat) }))
      .rejects.toThrow('scanner image secops-flow/wapiti:latest is not in the Docker Engine: build it: `secops scanners build`');
    expect(pulled).toEqual([]);
    expect(beats).toEqual([]);
  });
});

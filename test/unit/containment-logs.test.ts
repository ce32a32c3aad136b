import { describe, expect, it } from 'vitest';
import { headAndTail, prefixedFrames } from '../../activities/containment/container-logs';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function collect(source: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  yield* parts;
}

describe('container logs as evidence', () => {
  it('prefixes each frame with its stream, whatever chunks the frames arrive in', async () => {
    const bytes = Buffer.concat([frame(1, '2024-05-01T10:00:00Z hello\n'), frame(2, '2024-05-01T10:00:01Z oops\n')]);
    // Split inside the first header and inside the second payload.
    const text = await collect(prefixedFrames(chunks(bytes.subarray(0, 3), bytes.subarray(3, 40), bytes.subarray(40))));
    expect(text).toBe('stdout 2024-05-01T10:00:00Z hello\nstderr 2024-05-01T10:00:01Z oops\n');
  });

  it('says so when the answer ends inside a frame', async () => {
    const cut = frame(1, 'a whole line\n').subarray(0, 12);
    expect(await collect(prefixedFrames(chunks(cut)))).toBe("\n# the engine's answer ended inside a frame: 12 bytes left unread\n");
  });

  it('keeps everything under the cap', async () => {
    expect(await collect(headAndTail(chunks(Buffer.from('abc'), Buffer.from('def')), 6))).toBe('abcdef');
  });

  it('keeps the first and the last half of the cap and says how much it left out', async () => {
    const text = await collect(headAndTail(chunks(Buffer.from('0123456789'), Buffer.from('abcdefghij'), Buffer.from('KLMNO')), 8));
    expect(text).toBe('0123\n# truncated: 17 bytes of logs left out here; this file keeps the first 4 and the last 4 bytes\nLMNO');
  });
});

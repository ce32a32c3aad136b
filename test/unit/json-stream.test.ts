import { describe, expect, it } from 'vitest';
import { JsonStream, JsonSyntaxError, type JsonPath } from '../../activities/findings/json-stream';

/** Feeds `bytes` in chunks of `size`; returns the root, and each streamed element with its path. */
function read(bytes: Uint8Array, size: number, streams: (path: JsonPath) => boolean = () => false) {
  const elements: [string, unknown][] = [];
  let root: unknown;
  const stream = new JsonStream({ streams, element: (path, value) => elements.push([path.join('/'), value]), done: (value) => (root = value) });
  for (let i = 0; i < bytes.length; i += size) stream.write(bytes.subarray(i, i + size));
  stream.end();
  return { root, elements };
}

function syntaxError(text: string): JsonSyntaxError {
  try {
    read(Buffer.from(text), 7);
  } catch (error) {
    expect(error).toBeInstanceOf(JsonSyntaxError);
    return error as JsonSyntaxError;
  }
  throw new Error('expected a syntax error');
}

const DOCUMENT = JSON.stringify({
  text: 'café — 😀 \u0000 "quoted" \\ back\nslash',
  escaped: '\ud83d\ude00 \u00e9',
  numbers: [0, -1.5, 2e21, 1e-7, 12345678901234567890],
  literals: [true, false, null],
  nested: { empty: {}, none: [], deep: [[[{ a: [1, { b: 'c' }] }]]] },
  duplicate: 1,
  __proto__: null,
}).replace('"duplicate":1', '"duplicate":1,"duplicate":2,"__proto__":{"polluted":true}');

describe('JsonStream', () => {
  it('reads what JSON.parse reads, whatever the chunk boundaries (inside UTF-8 sequences and escapes too)', () => {
    const bytes = Buffer.from(DOCUMENT);
    const expected = JSON.parse(DOCUMENT);
    for (const size of [1, 2, 3, 5, 64, bytes.length]) expect(read(bytes, size).root).toEqual(expected);
    const { root } = read(bytes, 1) as { root: Record<string, unknown> };
    expect(root.duplicate).toBe(2);
    expect(Object.getPrototypeOf(root)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(root, '__proto__')?.value).toEqual({ polluted: true });
  });

  it('hands over the elements of streamed arrays one by one and leaves the arrays empty', () => {
    const text = JSON.stringify({ site: [{ name: 'a', alerts: [{ id: 1 }, { id: 2 }] }, { name: 'b', alerts: [] }], other: [1, 2] });
    const streams = (path: JsonPath) => path.join('/') === 'site' || /^site\/\d+\/alerts$/.test(path.join('/'));
    const { root, elements } = read(Buffer.from(text), 4, streams);
    expect(elements).toEqual([
      ['site/0/alerts/0', { id: 1 }],
      ['site/0/alerts/1', { id: 2 }],
      ['site/0', { name: 'a', alerts: [] }],
      ['site/1', { name: 'b', alerts: [] }],
    ]);
    expect(root).toEqual({ site: [], other: [1, 2] });
  });

  it('reads bytes that are not UTF-8 as U+FFFD, as a report read whole as UTF-8 text did', () => {
    const bytes = Buffer.concat([Buffer.from('{"evidence":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}')]);
    expect(read(bytes, 3).root).toEqual({ evidence: 'a\ufffd\ufffdb' });
  });

  it('says where the text stops being JSON, in bytes', () => {
    expect(syntaxError('').message).toBe('truncated or malformed JSON at position 0');
    expect(syntaxError('{"a": [1, 2').message).toBe('truncated or malformed JSON at position 11');
    expect(syntaxError('{"a": "é').message).toBe('truncated or malformed JSON at position 9');
    expect(syntaxError('<html>').message).toBe("malformed JSON: Unexpected token '<' at position 0");
    expect(syntaxError('{"a": [1, 2,]}').message).toBe("malformed JSON: Unexpected token ']' at position 12");
    expect(syntaxError('{"a" 1}').message).toBe("malformed JSON: Unexpected token '1' at position 5");
    expect(syntaxError('{"a": 1} {}').message).toBe("malformed JSON: Unexpected token '{' at position 9");
    expect([syntaxError('{"a": 1').truncated, syntaxError('{"a": 1]').truncated]).toEqual([true, false]);
  });
});

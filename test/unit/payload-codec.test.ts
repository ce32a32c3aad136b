import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { decodeOptionalFailureToOptionalError, encodeErrorToFailure, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { dataConverterFromEnv } from '../../codec/data-converter';
import { parseKeyRing } from '../../domain/codec-keys';
import { EncryptionCodec, PayloadDecryptionError } from '../../codec/payload-codec';
import { parseEnvironment } from '../../domain/environment';
import { ValidationError } from '../../domain/validation-error';

const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');
const secret = 'hunter2-db-password';
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

function problemsOf(value: string): string[] {
  try {
    parseKeyRing(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).problems.map((p) => p.message);
  }
  throw new Error('expected the key ring to be rejected');
}

describe('EncryptionCodec', () => {
  const codec = new EncryptionCodec(parseKeyRing(`old:${oldKey}`));
  const plain = defaultPayloadConverter.toPayload({ password: secret });

  it('round-trips a payload, metadata included, leaving only ciphertext on the wire', async () => {
    const [encrypted] = await codec.encode([plain]);
    expect(text(encrypted!.metadata!.encoding)).toBe('binary/encrypted');
    expect(text(encrypted!.metadata!['encryption-key-id'])).toBe('old');
    expect(Buffer.from(encrypted!.data!).includes(secret)).toBe(false);
    expect(Buffer.from(encrypted!.data!).includes('json/plain')).toBe(false);
    const [decrypted] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decrypted!)).toEqual({ password: secret });
    expect(text(decrypted!.metadata!.encoding)).toBe('json/plain');
  });

  it('uses a fresh IV per encode, so equal values do not give equal ciphertexts', async () => {
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('still decrypts payloads of a rotated-out key while encrypting with the new first key', async () => {
    const [old] = await codec.encode([plain]);
    const rotated = new EncryptionCodec(parseKeyRing(`new:${newKey},old:${oldKey}`));
    const [fresh] = await rotated.encode([plain]);
    expect(text(fresh!.metadata!['encryption-key-id'])).toBe('new');
    const decoded = await rotated.decode([old!, fresh!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([{ password: secret }, { password: secret }]);
  });

  it('names an unknown key id, never a key', async () => {
    const [encrypted] = await new EncryptionCodec(parseKeyRing(`new:${newKey}`)).encode([plain]);
    const decoding = codec.decode([encrypted!]);
    await expect(decoding).rejects.toBeInstanceOf(PayloadDecryptionError);
    await expect(decoding).rejects.toThrow(/^payload encrypted with key id "new", which is not in the key ring$/);
  });

  it('refuses tampered data, and a payload relabelled with another key id', async () => {
    const [encrypted] = await codec.encode([plain]);
    const data = Buffer.from(encrypted!.data!);
    data[20]! ^= 1;
    await expect(codec.decode([{ ...encrypted!, data }])).rejects.toThrow(
      'payload encrypted with key id "old" failed authentication: tampered, or a different key under that id',
    );
    // Same key under two ids: only the id bound as AAD at encryption authenticates.
    const twoIds = new EncryptionCodec(parseKeyRing(`old:${oldKey},alias:${oldKey}`));
    const relabelled = { ...encrypted!, metadata: { ...encrypted!.metadata, 'encryption-key-id': Buffer.from('alias') } };
    await expect(twoIds.decode([relabelled])).rejects.toThrow('key id "alias" failed authentication');
    await expect(codec.decode([{ ...encrypted!, data: data.subarray(0, 10) }])).rejects.toThrow('key id "old" is truncated');
  });

  it('passes unencrypted payloads through unchanged', async () => {
    const binary: Payload = { metadata: { encoding: Buffer.from('binary/null') } };
    expect(await codec.decode([plain, binary])).toEqual([plain, binary]);
  });
});

describe('parseKeyRing', () => {
  it('encrypts with the first key and decrypts with all; keys never show when inspected', () => {
    const ring = parseKeyRing(` new:${newKey} , old:${oldKey}`);
    expect(ring.current.id).toBe('new');
    expect([...ring.byId.keys()]).toEqual(['new', 'old']);
    expect(inspect(ring, { depth: 5 })).not.toContain(newKey);
  });

  it('lists every problem, without echoing key material', () => {
    const short = randomBytes(16).toString('base64');
    const problems = problemsOf(`a:${oldKey},a:${newKey},b:${short},c:not*base64!,${newKey},bad id:${oldKey},b:${newKey}`);
    expect(problems).toEqual([
      'entry 2: duplicate key id "a"',
      'entry 3 (key id "b"): key is 16 bytes, AES-256 needs 32 (openssl rand -base64 32)',
      'entry 4 (key id "c"): key is not valid base64',
      'entry 5: expected keyId:base64key',
      'entry 6: key id must be 1-64 of A-Z a-z 0-9 . _ -',
      'entry 7: duplicate key id "b"',
    ]);
    for (const key of [oldKey, newKey, short, 'not*base64!']) expect(problems.join('\n')).not.toContain(key);
    expect(problemsOf(' , ')).toEqual(['no key: expected keyId:base64key[,keyId:base64key…]']);
  });

  it('is checked with the environment, so a bad ring stops a process at start', () => {
    expect(() => parseEnvironment({ SECOPS_CODEC_KEYS: `k1:${oldKey.slice(4)}` })).toThrow(/SECOPS_CODEC_KEYS: entry 1 \(key id "k1"\)/);
    const env = parseEnvironment({ SECOPS_CODEC_KEYS: `k1:${oldKey}` });
    expect(dataConverterFromEnv(env).payloadCodecs?.[0]).toBeInstanceOf(EncryptionCodec);
    expect(dataConverterFromEnv(parseEnvironment({})).payloadCodecs).toBeUndefined();
  });

  it('moves failure messages and stack traces into a payload, which the codec then encrypts', async () => {
    for (const keys of [undefined, `k1:${oldKey}`]) {
      const converter = loadDataConverter(dataConverterFromEnv(parseEnvironment(keys ? { SECOPS_CODEC_KEYS: keys } : {})));
      const failure = await encodeErrorToFailure(converter, new Error('role shop_app: injected'));
      expect(failure.message).toBe('Encoded failure');
      expect(failure.stackTrace).toBe('');
      const attributes = Buffer.from(failure.encodedAttributes?.data ?? []).toString('utf8');
      if (keys) expect(attributes).not.toContain('injected');
      else expect(JSON.parse(attributes)).toMatchObject({ message: 'role shop_app: injected', stack_trace: expect.stringContaining('payload-codec.test.ts') });
      expect(Buffer.from(failure.encodedAttributes?.metadata?.encoding ?? []).toString()).toBe(keys ? 'binary/encrypted' : 'json/plain');
      const decoded = await decodeOptionalFailureToOptionalError(converter, failure);
      expect(decoded?.message).toBe('role shop_app: injected');
    }
  });
});

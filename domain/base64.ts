/**
 * Base64 without Buffer: ballots are verified inside the workflow sandbox, where Node's
 * Buffer does not exist. Standard alphabet; decoding refuses anything that is not
 * canonical base64 (padding optional), so one signature has one spelling.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INDEX = new Map([...ALPHABET].map((char, i) => [char, i]));

export function toBase64(bytes: Uint8Array, { pad = true } = {}): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    out += b === undefined ? (pad ? '=' : '') : ALPHABET[(n >> 6) & 63]!;
    out += c === undefined ? (pad ? '=' : '') : ALPHABET[n & 63]!;
  }
  return out;
}

/** The bytes, or undefined when `text` is not canonical base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  const body = text.replace(/={1,2}$/, '');
  if (body.length % 4 === 1 || (text.length !== body.length && text.length % 4 !== 0)) return undefined;
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of body) {
    const index = INDEX.get(char);
    if (index === undefined) return undefined;
    value = (value << 6) | index;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero, or two texts would decode to the same bytes.
  if ((value & ((1 << bits) - 1)) !== 0) return undefined;
  return new Uint8Array(bytes);
}

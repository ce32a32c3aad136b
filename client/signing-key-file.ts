import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fromBase64 } from '../domain/base64';
import { keyIdOf, parsePublicKey } from '../domain/signing-key';
import { ValidationError } from '../domain/validation-error';

/**
 * A front end's ballot-signing private key: a PKCS#8 PEM file as `secops keys init` writes
 * it, or an unencrypted OpenSSH ed25519 key (`ssh-keygen -t ed25519`), so people can sign
 * with the SSH key they already have. Private keys live only in files (mode 0600) or in
 * the environment, never in the config.
 */
export interface SigningKey {
  keyId: string;
  /** The 32 raw public key bytes. */
  publicKey: Uint8Array;
  privateKey: KeyObject;
}

/** Where `secops keys init` writes, and the CLI looks, when SECOPS_BALLOT_KEY_FILE is not set. */
export function defaultKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'secops', 'ballot-key.pem');
}

/** Creates a new key file (0600, never overwriting one) and returns the key. */
export function createKeyFile(path: string): SigningKey {
  if (existsSync(path)) throw new ValidationError('secops keys init', [{ path, message: 'a key file is already there; it is kept (choose another path with --file)' }]);
  const { privateKey } = generateKeyPairSync('ed25519');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return signingKeyOf(privateKey);
}

/**
 * Where a front end's key comes from: the key itself in an environment variable, or a file
 * an environment variable names (the CLI's `SECOPS_BALLOT_KEY[_FILE]`, the Slack app's
 * `SECOPS_SLACK_BALLOT_KEY[_FILE]`: in `secops dev` both live in one process environment).
 */
export interface KeySource {
  key?: string;
  keyFile?: string;
  /** The variables' names, for messages. */
  keyVar: string;
  fileVar: string;
}

export function cliKeySource(env: { SECOPS_BALLOT_KEY?: string; SECOPS_BALLOT_KEY_FILE?: string }): KeySource {
  return { key: env.SECOPS_BALLOT_KEY, keyFile: env.SECOPS_BALLOT_KEY_FILE, keyVar: 'SECOPS_BALLOT_KEY', fileVar: 'SECOPS_BALLOT_KEY_FILE' };
}

export function slackAppKeySource(env: { SECOPS_SLACK_BALLOT_KEY?: string; SECOPS_SLACK_BALLOT_KEY_FILE?: string }): KeySource {
  return { key: env.SECOPS_SLACK_BALLOT_KEY, keyFile: env.SECOPS_SLACK_BALLOT_KEY_FILE, keyVar: 'SECOPS_SLACK_BALLOT_KEY', fileVar: 'SECOPS_SLACK_BALLOT_KEY_FILE' };
}

/** The key from its variable, its file, or `fallbackFile`; undefined when none is set and the fallback does not exist. */
export function loadSigningKey(source: KeySource, fallbackFile?: string): SigningKey | undefined {
  if (source.key) return parsePrivateKey(source.key, source.keyVar);
  const file = source.keyFile ?? fallbackFile;
  if (!file || (!source.keyFile && !existsSync(file))) return undefined;
  let text: string;
  try {
    const { mode } = statSync(file);
    if ((mode & 0o077) !== 0) throw new ValidationError(file, [{ path: '', message: `the ballot key file is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it` }]);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError(file, [{ path: '', message: `cannot read the ballot key file (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  return parsePrivateKey(text, file);
}

/** Never quotes the text in an error: it is a private key. */
export function parsePrivateKey(text: string, source: string): SigningKey {
  const problem = (message: string) => new ValidationError(source, [{ path: '', message }]);
  if (text.includes('BEGIN OPENSSH PRIVATE KEY')) {
    let seed: Uint8Array | string;
    try {
      seed = openSshSeed(text);
    } catch {
      seed = 'is a truncated OpenSSH private key';
    }
    if (typeof seed === 'string') throw problem(seed);
    return signingKeyOf(privateKeyOfSeed(seed));
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw problem('is not a PEM private key or an OpenSSH ed25519 private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw problem(`holds a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; ballots are signed with Ed25519`);
  return signingKeyOf(key);
}

function signingKeyOf(privateKey: KeyObject): SigningKey {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = fromBase64(jwk.x!.replace(/-/g, '+').replace(/_/g, '/'))!;
  return { keyId: keyIdOf(publicKey), publicKey, privateKey };
}

function privateKeyOfSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seed)]), format: 'der', type: 'pkcs8' });
}

/** The fixed DER header of a PKCS#8 Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The 32-byte seed of an unencrypted OpenSSH ed25519 private key (openssh-key-v1, as in
 * OpenSSH's PROTOCOL.key), or a problem.
 */
function openSshSeed(text: string): Uint8Array | string {
  const body = text.replace(/-----(BEGIN|END) OPENSSH PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  const bytes = fromBase64(body);
  if (!bytes) return 'is not a readable OpenSSH private key';
  const reader = new SshReader(Buffer.from(bytes));
  if (reader.bytes(15).toString('latin1') !== 'openssh-key-v1\0') return 'is not an openssh-key-v1 private key';
  const cipher = reader.string().toString();
  reader.string(); // kdf name
  reader.string(); // kdf options
  if (cipher !== 'none') return 'is a passphrase-protected OpenSSH key; decrypt a copy (ssh-keygen -p) or create a ballot key with `secops keys init`';
  if (reader.uint32() !== 1) return 'holds more than one key';
  reader.string(); // public key blob
  const section = new SshReader(reader.string());
  if (section.uint32() !== section.uint32()) return 'is corrupt (check bytes differ)';
  if (section.string().toString() !== 'ssh-ed25519') return 'is not an ed25519 key; ballots are signed with Ed25519';
  section.string(); // public key
  const secret = section.string();
  if (secret.length !== 64) return 'holds an ed25519 private key of the wrong size';
  return new Uint8Array(secret.subarray(0, 32));
}

class SshReader {
  private at = 0;
  constructor(private readonly data: Buffer) {}
  bytes(n: number): Buffer {
    if (this.at + n > this.data.length) throw new Error('truncated OpenSSH key');
    const out = this.data.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  uint32(): number {
    return this.bytes(4).readUInt32BE(0);
  }
  string(): Buffer {
    return this.bytes(this.uint32());
  }
}

/**
 * The front end's signing key, checked against the public key the config trusts for it
 * (when it names one): a mismatched pair would only produce ballots every gate refuses.
 */
export function frontEndSigner(source: KeySource, options: { trustedPublicKey?: string; fallbackFile?: string; who: string }): SigningKey | undefined {
  const key = loadSigningKey(source, options.fallbackFile);
  if (!key || !options.trustedPublicKey) return key;
  const trusted = parsePublicKey(options.trustedPublicKey);
  if (typeof trusted !== 'string' && trusted.keyId !== key.keyId) {
    throw new ValidationError(source.keyFile ? source.fileVar : source.keyVar, [{ path: '', message: `${options.who}'s ballot key is ${key.keyId}, but the config trusts ${trusted.keyId} for it` }]);
  }
  return key;
}

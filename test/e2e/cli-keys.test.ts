import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signBallot } from '../../client/ballot-signer';
import { loadSigningKey, cliKeySource } from '../../client/signing-key-file';
import { ballotProblem } from '../../domain/ballot';
import { parsePublicKey } from '../../domain/signing-key';
import { runEntry } from '../support/run-cli';

/**
 * `secops keys`: the key a person's CLI ballots are signed with. A new key file is 0600 and
 * never overwrites one; an OpenSSH ed25519 key works as it is, with the fingerprint ssh-keygen
 * shows; what cannot sign is refused with the reason and without quoting the key.
 */
describe('secops keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secops-keys-'));
  const keys = (args: string[], env: Record<string, string> = {}) => runEntry(['secops', 'keys', ...args], { SECOPS_USER: 'alice', XDG_CONFIG_HOME: dir, ...env });

  it('init writes a 0600 key, prints its public key for the config, and refuses to overwrite it', async () => {
    const file = join(dir, 'alice.pem');
    const created = await keys(['init', '--file', file]);
    expect(created.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const line = /publicKey: "(ssh-ed25519 [^"]+)"/.exec(created.stdout)?.[1];
    const parsed = parsePublicKey(line ?? '');
    expect(typeof parsed).toBe('object');
    expect(created.stdout).toContain(`key id ${(parsed as { keyId: string }).keyId}`);
    expect(created.stdout).toContain('cliUsers: [{ name: alice, publicKey:');

    const before = readFileSync(file, 'utf8');
    const again = await keys(['init', '--file', file]);
    expect(again).toMatchObject({ code: 2, stdout: '' });
    expect(again.stderr).toContain('a key file is already there; it is kept');
    expect(readFileSync(file, 'utf8')).toBe(before);

    const shown = await keys(['show'], { SECOPS_BALLOT_KEY_FILE: file });
    expect(shown.stdout).toBe(`${line!.replace(/ secops:alice$/, '')} secops:alice\nkey id ${(parsed as { keyId: string }).keyId}\n`);
  });

  it('signs with an OpenSSH ed25519 key: its key id is the fingerprint ssh-keygen shows, and its ballots verify against its .pub line', async () => {
    const file = join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice@laptop', '-f', file]);
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' }).split(' ')[1];
    const shown = await keys(['show'], { SECOPS_BALLOT_KEY_FILE: file });
    expect(shown).toMatchObject({ code: 0, stdout: expect.stringContaining(`key id ${fingerprint}\n`) });

    const key = loadSigningKey(cliKeySource({ SECOPS_BALLOT_KEY_FILE: file }))!;
    const publicKey = parsePublicKey(readFileSync(`${file}.pub`, 'utf8'));
    if (typeof publicKey === 'string') throw new Error(publicKey);
    const now = new Date();
    const ballot = signBallot(key, { approvalId: 'rotate:db#1@00000000-0000-4000-8000-000000000000', voter: 'cli:alice', vote: 'approve' }, now);
    expect(ballotProblem(ballot, new Map([[publicKey.keyId, { ...publicKey, signsFor: 'cli:alice' as const }]]), now.getTime())).toBeUndefined();
  });

  it.each([
    ['a passphrase-protected SSH key', (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret phrase', '-f', file]), /passphrase-protected OpenSSH key/],
    ['an RSA key', (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PKCS8', '-N', '', '-f', file]), /holds a rsa key; ballots are signed with Ed25519/],
    ['a key file others can read', (file: string) => { execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]); chmodSync(file, 0o644); }, /readable by others \(mode 644\); chmod 600 it/],
    ['not a key', (file: string) => writeFileSync(file, 'PRIVATE-DATA-MUST-NOT-BE-ECHOED', { mode: 0o600 }), /is not a PEM private key or an OpenSSH ed25519 private key/],
  ])('refuses %s with the reason (exit 2), quoting nothing of it', async (_name, make, reason) => {
    const file = join(mkdtempSync(join(tmpdir(), 'secops-badkey-')), 'key');
    make(file);
    const shown = await keys(['show'], { SECOPS_BALLOT_KEY_FILE: file });
    expect(shown).toMatchObject({ code: 2, stdout: '' });
    expect(shown.stderr).toMatch(reason);
    expect(shown.stderr).not.toContain('PRIVATE-DATA');
    expect(shown.stderr).not.toMatch(/BEGIN|AAAA/);
  });
});

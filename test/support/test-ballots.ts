import { createHash } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { parsePrivateKey, type SigningKey } from '../../client/signing-key-file';
import { signBallot, type VoteIntent } from '../../client/ballot-signer';
import type { Ballot } from '../../domain/ballot';
import { publicKeyLine } from '../../domain/signing-key';
import { decideUpdate } from '../../workflows/approval';

/**
 * Ballot keys for tests, each derived from a name so every file and process agrees on them
 * without sharing state: the Slack app's (`slack-app`) and one per CLI user. Never used
 * outside tests; production keys come from `secops keys init` or an SSH key.
 */
const PKCS8_ED25519_PREFIX = '302e020100300506032b657004220420';

export function testKeyPem(name: string): string {
  const seed = createHash('sha256').update(`secops-test-ballot-key:${name}`).digest();
  const der = Buffer.concat([Buffer.from(PKCS8_ED25519_PREFIX, 'hex'), seed]);
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64')}\n-----END PRIVATE KEY-----\n`;
}

export function testSigningKey(name: string): SigningKey {
  return parsePrivateKey(testKeyPem(name), `test key ${name}`);
}

export function testPublicKey(name: string): string {
  return publicKeyLine(testSigningKey(name).publicKey, `test:${name}`);
}

export const SLACK_APP_KEY = 'slack-app';

/** A CLI approver entry for the config: `{ name, publicKey }`. */
export function testCliUser(name: string): { name: string; publicKey: string } {
  return { name, publicKey: testPublicKey(name) };
}

/** The config's `slackApp` entry for the test Slack app's key. */
export function testSlackApp(): { publicKey: string } {
  return { publicKey: testPublicKey(SLACK_APP_KEY) };
}

/**
 * A vote signed the way its front end would: a Slack voter by the Slack app's key, a CLI
 * voter by their own. `now` lets a time-skipping test sign at the server's time.
 */
export function signedBallot(intent: VoteIntent, now = new Date(), signer = intent.voter.startsWith('slack:') ? SLACK_APP_KEY : intent.voter.slice(4)): Ballot {
  return signBallot(testSigningKey(signer), intent, now);
}

/** Casts a signed vote straight through the `decide` Update, as a front end would after signing. */
export function voteOn(handle: WorkflowHandle, intent: VoteIntent, now?: Date) {
  return handle.executeUpdate(decideUpdate, { args: [signedBallot(intent, now)] });
}

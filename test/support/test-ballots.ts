import { generateKeyPairSync } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { parsePrivateKey, type SigningKey } from '../../client/signing-key-file';
import { signBallot, type VoteIntent } from '../../client/ballot-signer';
import type { Ballot } from '../../domain/ballot';
import { publicKeyLine } from '../../domain/signing-key';
import { decideUpdate } from '../../workflows/approval';

/**
 * Ballot keys for tests: the Slack app's (`slack-app`) and one per CLI user, generated fresh
 * in each test process and kept by name, so a file's config (public keys) and the processes
 * it starts (the private key handed over in SECOPS_[SLACK_]BALLOT_KEY) agree. No key is
 * written into the repository or derivable from it; production keys come from `secops keys
 * init` or an SSH key.
 */
const keysByName = new Map<string, string>();

export function testKeyPem(name: string): string {
  let pem = keysByName.get(name);
  if (!pem) {
    pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    keysByName.set(name, pem);
  }
  return pem;
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

import { z } from 'zod';
import { fromBase64 } from './base64';
import { ed25519Verify } from './ed25519-verify';
import { lazySchema } from './lazy-schema';
import { parsePublicKey, type PublicSigningKey } from './signing-key';

/**
 * A ballot is a vote signed by the front end that authenticated the voter: the Slack app
 * with its own key once Bolt has verified the request, the CLI with the person's own key.
 * The approval gate verifies it inside the workflow, so a Temporal client that merely can
 * reach the server cannot vote as anyone.
 */

export const VOTES = ['approve', 'reject'] as const;
export type Vote = (typeof VOTES)[number];

/** Long enough for a real reason, short enough that a ballot cannot bloat history. */
export const MAX_REASON_LENGTH = 1000;
/** A ballot issued further from now than this, either way, is refused: a captured one goes stale. */
export const BALLOT_CLOCK_SKEW_MS = 5 * 60_000;

// Lazy (lazy-schema.ts): a workflow run builds these only once someone votes or acts.
export const principalSchema = lazySchema(() => z.string().regex(/^(slack:[UW][A-Z0-9]{2,20}|cli:[a-z_][a-z0-9_.-]{0,63})$/, 'must be slack:<user id> or cli:<name>'));

export const unsignedBallotSchema = lazySchema(() => z.strictObject({
  approvalId: z.string().min(1).max(400),
  voter: principalSchema,
  vote: z.enum(VOTES, { error: 'must be approve or reject' }),
  reason: z.string().max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`).optional(),
  issuedAt: z.iso.datetime({ message: 'must be an ISO 8601 UTC time' }),
  keyId: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a key fingerprint (SHA256:…)'),
}));
export const ballotSchema = lazySchema(() => unsignedBallotSchema.extend({ signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be a base64 Ed25519 signature') }));

export type UnsignedBallot = z.infer<typeof unsignedBallotSchema> & { voter: `slack:${string}` | `cli:${string}` };
export type Ballot = UnsignedBallot & { signature: string };

/** Who a trusted key may sign for: any Slack user (the Slack app's key) or one CLI user. */
export interface TrustedKey extends PublicSigningKey {
  signsFor: 'slack' | `cli:${string}`;
}

/** Who may sign: the Slack app for Slack users, each CLI user for themselves (config `slackApp`, `approvers.cliUsers`). */
export interface SignerKeys {
  slackAppPublicKey?: string;
  cliUsers: { name: string; publicKey: string }[];
}

/** The keys `signers` name, by key id; a line that is not a key trusts nobody. Ballots and incident acts alike. */
export function trustedKeys(signers: SignerKeys): Map<string, TrustedKey> {
  const trusted = new Map<string, TrustedKey>();
  const add = (line: string, signsFor: TrustedKey['signsFor']) => {
    const key = parsePublicKey(line);
    if (typeof key !== 'string') trusted.set(key.keyId, { ...key, signsFor });
  };
  for (const user of signers.cliUsers) add(user.publicKey, `cli:${user.name}`);
  if (signers.slackAppPublicKey) add(signers.slackAppPublicKey, 'slack');
  return trusted;
}

/** Exactly the bytes signed: every field, in a fixed order, under a versioned label. */
export function ballotBytes(ballot: UnsignedBallot): Uint8Array {
  const fields = [ballot.approvalId, ballot.vote, ballot.voter, ballot.reason ?? '', ballot.issuedAt, ballot.keyId];
  return new TextEncoder().encode(`secops-ballot/v1\n${JSON.stringify(fields)}`);
}

/**
 * Why a ballot is not authentic, or undefined when it is: well-formed, issued within the
 * clock window around `nowMs`, signed by a key this approval trusts, for a voter that key
 * may speak for. Pure and synchronous, so the Update validator runs it before history.
 */
export function ballotProblem(candidate: unknown, trusted: ReadonlyMap<string, TrustedKey>, nowMs: number): string | undefined {
  const parsed = ballotSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `malformed ballot: ${issue.path.join('.') || 'ballot'} ${issue.message}`;
  }
  const ballot = parsed.data as Ballot;
  const issuedAt = Date.parse(ballot.issuedAt);
  if (Math.abs(nowMs - issuedAt) > BALLOT_CLOCK_SKEW_MS) return `ballot issued at ${ballot.issuedAt} is outside the ${BALLOT_CLOCK_SKEW_MS / 60_000}-minute window (stale, replayed, or a clock is wrong)`;
  const key = trusted.get(ballot.keyId);
  const problem = signerProblem(key, ballot.keyId, ballot.voter, 'ballot');
  if (problem) return problem;
  if (!verifySignature(ballot, key!.key)) return 'ballot signature does not verify (forged or altered)';
  return undefined;
}

/** Why `key` (trusted under `keyId`, or not at all) may not sign `what` for `who`; undefined when it may. Ballots and incident acts alike. */
export function signerProblem(key: TrustedKey | undefined, keyId: string, who: string, what: string): string | undefined {
  if (!key) return `${what} signed by an unknown key ${keyId}`;
  if (key.signsFor === 'slack' ? !who.startsWith('slack:') : key.signsFor !== who) return `key ${keyId} may not sign for ${who}`;
  return undefined;
}

export function verifySignature(ballot: Ballot, publicKey: Uint8Array): boolean {
  const signature = fromBase64(ballot.signature);
  if (!signature || signature.length !== 64) return false;
  return ed25519Verify(signature, ballotBytes(ballot), publicKey);
}

/** The signed fields of a ballot, without its signature (what the audit row's details keep). */
export function unsignedPart(ballot: Ballot): UnsignedBallot {
  return { approvalId: ballot.approvalId, voter: ballot.voter, vote: ballot.vote, ...(ballot.reason !== undefined && { reason: ballot.reason }), issuedAt: ballot.issuedAt, keyId: ballot.keyId };
}

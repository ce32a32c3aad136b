import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ballotSchema, verifySignature, type Ballot } from './ballot';
import type { PublicSigningKey } from './signing-key';

/**
 * The audit trail is a hash chain per stream: each row stores the hash of the row before
 * it in its stream and its own hash over everything it says. Editing a row breaks its own
 * hash; deleting or inserting one breaks the next row's link. The store refuses UPDATE,
 * DELETE and TRUNCATE as well; the chain is what tells when someone with the database's
 * superuser went around that.
 */

/** The hash a stream's first row links to. */
export const GENESIS_HASH = '0'.repeat(64);

/** A stream is the first word of the action (`approval.approve` → `approval`): one chain per kind of act. */
export function auditStreamOf(action: string): string {
  return action.split('.')[0]!;
}

export interface ChainedAuditRow {
  id: string;
  stream: string;
  prevHash: string;
  hash: string;
  /** ISO 8601, millisecond precision (what was hashed). */
  occurredAt: string;
  actor: string;
  action: string;
  subject: string;
  outcome: string;
  details: unknown;
  idempotencyKey: string | null;
  signature: string | null;
  keyId: string | null;
}

export function auditRowHash(row: Omit<ChainedAuditRow, 'id' | 'hash'>): string {
  const fields = [row.stream, row.prevHash, row.occurredAt, row.actor, row.action, row.subject, row.outcome, canonicalJson(row.details), row.idempotencyKey, row.signature, row.keyId];
  return bytesToHex(sha256(new TextEncoder().encode(JSON.stringify(fields))));
}

/** JSON with object keys sorted at every level: jsonb gives keys back in its own order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Why `row` breaks its stream's chain, or undefined when it holds: it must link to the
 * hash of the row before it, hash to what it says, and an accepted vote's ballot must
 * verify against the key the config holds for its key id.
 */
export function linkProblem(row: ChainedAuditRow, previousHash: string, keys: ReadonlyMap<string, PublicSigningKey>): string | undefined {
  if (row.prevHash !== previousHash) return `it links to ${row.prevHash.slice(0, 12)}…, but the row before it hashes to ${previousHash.slice(0, 12)}… (a row was removed, inserted or reordered)`;
  if (auditRowHash(row) !== row.hash) return 'its content does not match its hash (the row was edited)';
  return signedBallotProblem(row, keys);
}

/**
 * Accepted votes carry their signed ballot; refused ones keep what was sent, which need not
 * verify. Other streams (incident acts) keep signatures of other shapes: no ballot to check.
 */
function signedBallotProblem(row: ChainedAuditRow, keys: ReadonlyMap<string, PublicSigningKey>): string | undefined {
  if (row.signature === null || row.outcome !== 'allowed' || auditStreamOf(row.action) !== 'approval') return undefined;
  const signed = (row.details as { ballot?: unknown } | null)?.ballot;
  const ballot = ballotSchema.safeParse({ ...(signed as object), signature: row.signature });
  if (!ballot.success) return 'its ballot is not readable';
  if (ballot.data.keyId !== row.keyId || ballot.data.voter !== row.actor || ballot.data.approvalId !== row.subject || row.action !== `approval.${ballot.data.vote}`) {
    return 'its ballot names another key, voter, vote or approval than the row';
  }
  const key = keys.get(row.keyId!);
  if (!key) return `its ballot is signed by key ${row.keyId}, which the config does not hold`;
  if (!verifySignature(ballot.data as Ballot, key.key)) return 'its ballot signature does not verify';
  return undefined;
}

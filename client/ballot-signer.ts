import { sign } from 'node:crypto';
import { ballotBytes, type Ballot, type UnsignedBallot, type Vote } from '../domain/ballot';
import type { Principal } from '../domain/approval-rules';
import { toBase64 } from '../domain/base64';
import type { SigningKey } from './signing-key-file';

/** A vote as a front end understood it, before it is signed. */
export interface VoteIntent {
  approvalId: string;
  voter: Principal;
  vote: Vote;
  reason?: string;
}

/** Signs a vote as of `now` with the front end's key: the workflow's gate verifies it. */
export function signBallot(key: SigningKey, vote: VoteIntent, now = new Date()): Ballot {
  const unsigned: UnsignedBallot = {
    approvalId: vote.approvalId,
    voter: vote.voter,
    vote: vote.vote,
    ...(vote.reason !== undefined && { reason: vote.reason }),
    issuedAt: now.toISOString(),
    keyId: key.keyId,
  };
  return { ...unsigned, signature: toBase64(sign(null, ballotBytes(unsigned), key.privateKey)) };
}

import { GENESIS_HASH, linkProblem } from '../domain/audit-chain';
import type { Config } from '../domain/config';
import { parsePublicKey, type PublicSigningKey } from '../domain/signing-key';
import { auditStreams, chainedAuditRows, countUnchainedAuditEvents, listAuditEvents, type AuditEvent, type AuditFilter } from '../store/audit-events';
import type { Database } from '../store/database';

export interface AuditVerification {
  /** Each stream's rows checked and the hash its chain ends on (note it: a later verify must reach it). */
  streams: { stream: string; rows: number; head: string }[];
  /** Rows from before the chain existed: nothing vouches for them. */
  unchained: number;
  broken?: { id: string; stream: string; problem: string };
}

/**
 * Walks every stream's chain from its first row and re-verifies every accepted ballot's
 * signature with the keys the config holds; stops at the first broken link and names it.
 */
export async function verifyAuditTrail(db: Database, config: Config, expectedHeads: ReadonlyMap<string, string> = new Map()): Promise<AuditVerification> {
  const keys = signingKeysOf(config);
  const result: AuditVerification = { streams: [], unchained: await countUnchainedAuditEvents(db) };
  for (const stream of await auditStreams(db)) {
    let previous = GENESIS_HASH;
    let rows = 0;
    let passedExpected = !expectedHeads.has(stream);
    for await (const row of chainedAuditRows(db, stream)) {
      const problem = linkProblem(row, previous, keys);
      if (problem) return { ...result, broken: { id: row.id, stream, problem } };
      previous = row.hash;
      passedExpected ||= row.hash === expectedHeads.get(stream);
      rows += 1;
    }
    result.streams.push({ stream, rows, head: previous });
    // A whole chain recomputed by someone with the superuser verifies; one noted elsewhere earlier then goes missing.
    if (!passedExpected) return { ...result, broken: { id: 'head', stream, problem: `the chain no longer passes through the head ${expectedHeads.get(stream)} noted earlier (the trail was rewritten)` } };
  }
  for (const [stream, head] of expectedHeads) {
    if (!result.streams.some((s) => s.stream === stream)) return { ...result, broken: { id: 'head', stream, problem: `the stream is gone, though its head ${head} was noted earlier` } };
  }
  return result;
}

export async function listAuditTrail(db: Database, filter: AuditFilter): Promise<AuditEvent[]> {
  return listAuditEvents(db, filter);
}

/** Every ballot-signing public key the config trusts, by key id. */
export function signingKeysOf(config: Config): Map<string, PublicSigningKey> {
  const lines = [
    ...(config.slackApp ? [config.slackApp.publicKey] : []),
    ...Object.values(config.approvals).flatMap((policy) => [policy.approvers, ...policy.escalation.map((s) => s.approvers)].flatMap((a) => a.cliUsers.map((u) => u.publicKey))),
  ];
  const keys = new Map<string, PublicSigningKey>();
  for (const line of lines) {
    const key = parsePublicKey(line);
    if (typeof key !== 'string') keys.set(key.keyId, key);
  }
  return keys;
}

import { z } from 'zod';
import type { Principal } from './approval-rules';
import { fromBase64 } from './base64';
import { BALLOT_CLOCK_SKEW_MS, principalSchema, signerProblem, type TrustedKey } from './ballot';
import { ed25519Verify } from './ed25519-verify';
import { roleSchema, severitySchema, snoozeSchema, incidentStatusSchema, milestoneSchema } from './incident';
import { lazySchema } from './lazy-schema';

/**
 * What a person does to a running incident (assign a role, set a milestone, resolve it …)
 * travels as an act signed by the front end that authenticated them, as a ballot does
 * (ballot.ts): the incident's Update validators verify it before history, so a Temporal
 * client that can merely reach the server cannot act as anyone.
 */

// Each built on first use (lazy-schema.ts): a run nobody acts on builds none of them, a run
// told to set its severity builds only that act's.
const reason = lazySchema(() => z.string().trim().min(1, 'must say why').max(1000, 'must be at most 1000 characters'));
const isoTime = lazySchema(() => z.iso.datetime({ message: 'must be an ISO 8601 UTC time' }));

/** Every act and its arguments; each is one Update of incidentResponse (workflows/incident-definitions.ts). */
export const ACT_ARGS = {
  addTimelineEvent: lazySchema(() => z.strictObject({ text: z.string().trim().min(1, 'must not be empty').max(4000, 'must be at most 4000 characters'), at: isoTime.optional() })),
  assignRole: lazySchema(() => z.strictObject({ role: z.union([roleSchema, z.literal('participant')]), to: principalSchema })),
  setSeverity: lazySchema(() => z.strictObject({ severity: severitySchema, reason })),
  setStatus: lazySchema(() => z.strictObject({ status: incidentStatusSchema.exclude(['closed'], { error: 'must be active or stable (resolve closes an incident)' }) })),
  setMilestone: lazySchema(() => z.strictObject({ milestone: milestoneSchema, at: isoTime, reason })),
  acknowledge: lazySchema(() => z.strictObject({})),
  snoozeReminder: lazySchema(() => z.strictObject({ for: snoozeSchema })),
  completeTask: lazySchema(() => z.strictObject({ taskId: z.string().min(1).max(200), outcome: z.enum(['done', 'not-needed'], { error: 'must be done or not-needed' }), note: z.string().max(2000).optional() })),
  resolve: lazySchema(() => z.strictObject({ summary: z.string().trim().min(1, 'must say how it was resolved').max(4000, 'must be at most 4000 characters'), fixed: z.boolean().optional() })),
} as const;
export type ActName = keyof typeof ACT_ARGS;
export const ACT_NAMES = Object.keys(ACT_ARGS) as ActName[];
export type ActArgs<A extends ActName> = z.infer<(typeof ACT_ARGS)[A]>;

export interface UnsignedAct<A extends ActName = ActName> {
  incidentId: string;
  action: A;
  args: ActArgs<A>;
  actor: Principal;
  issuedAt: string;
  keyId: string;
}
export type SignedAct<A extends ActName = ActName> = UnsignedAct<A> & { signature: string };

const envelopeSchema = lazySchema(() => z.strictObject({
  incidentId: z.string().min(1).max(200),
  action: z.enum(ACT_NAMES as [ActName, ...ActName[]], { error: `must be one of ${ACT_NAMES.join(', ')}` }),
  args: z.record(z.string(), z.unknown()),
  actor: principalSchema,
  issuedAt: isoTime,
  keyId: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a key fingerprint (SHA256:…)'),
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be a base64 Ed25519 signature'),
}));

/** The args as signed: keys sorted, so the signer's and the verifier's bytes agree whatever the order they were written in. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  return value;
}

/** Exactly the bytes signed, under a label of their own: a ballot's signature can never pass as an act's. */
export function actBytes(act: UnsignedAct): Uint8Array {
  return new TextEncoder().encode(`secops-incident-act/v1\n${JSON.stringify([act.incidentId, act.action, canonical(act.args), act.actor, act.issuedAt, act.keyId])}`);
}

/**
 * Why a candidate is not an authentic `expected` act on `incidentId`, or undefined when it
 * is: well-formed, arguments valid, issued within the clock window around `nowMs`, signed by
 * a trusted key that may speak for the actor. Pure and synchronous, for Update validators.
 */
export function actProblem(candidate: unknown, expected: ActName, incidentId: string, trusted: ReadonlyMap<string, TrustedKey>, nowMs: number): string | undefined {
  const parsed = envelopeSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `malformed act: ${issue.path.join('.') || 'act'} ${issue.message}`;
  }
  const act = parsed.data as SignedAct;
  if (act.action !== expected) return `act ${act.action} sent as ${expected}`;
  if (act.incidentId !== incidentId) return `act for incident ${act.incidentId}, not ${incidentId}`;
  const args = ACT_ARGS[expected].safeParse(act.args);
  if (!args.success) {
    const issue = args.error.issues[0]!;
    return `${expected}: ${issue.path.join('.') || 'args'} ${issue.message}`;
  }
  if (Math.abs(nowMs - Date.parse(act.issuedAt)) > BALLOT_CLOCK_SKEW_MS) return `act issued at ${act.issuedAt} is outside the ${BALLOT_CLOCK_SKEW_MS / 60_000}-minute window (stale, replayed, or a clock is wrong)`;
  const key = trusted.get(act.keyId);
  const problem = signerProblem(key, act.keyId, act.actor, 'act');
  if (problem) return problem;
  const signature = fromBase64(act.signature);
  if (!signature || signature.length !== 64 || !ed25519Verify(signature, actBytes(act), key!.key)) return 'act signature does not verify (forged or altered)';
  return undefined;
}

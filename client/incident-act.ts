import { sign } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Principal } from '../domain/approval-rules';
import { toBase64 } from '../domain/base64';
import { actBytes, type ActArgs, type ActName, type SignedAct, type UnsignedAct } from '../domain/incident-act';
import type { IncidentView } from '../domain/incident';
import { appendAuditEvent } from '../store/audit-events';
import type { Database } from '../store/database';
import { getIncident } from '../store/incidents';
import { ACT_UPDATES } from '../workflows/incident-definitions';
import { frontEndOf } from './front-end-of';
import type { SigningKey } from './signing-key-file';

export class ActRefusedError extends Error {}

/** Signs an act as of `now` with the front end's key: the incident's Update validator verifies it. */
export function signAct<A extends ActName>(key: SigningKey, act: Omit<UnsignedAct<A>, 'issuedAt' | 'keyId'>, now = new Date()): SignedAct<A> {
  const unsigned: UnsignedAct<A> = { ...act, issuedAt: now.toISOString(), keyId: key.keyId };
  return { ...unsigned, signature: toBase64(sign(null, actBytes(unsigned), key.privateKey)) };
}

/**
 * Does `action` on an incident as `actor`, signed with the front end's key, through the
 * incident run's Update of that name. A refusal (not authentic, not allowed, incident gone)
 * comes back as ActRefusedError and is audited here: the validator keeps no trace in history.
 */
export async function actOnIncident<A extends ActName>(
  deps: { client: Client; db: Database; signer?: SigningKey },
  incidentId: string,
  action: A,
  args: ActArgs<A>,
  actor: Principal,
): Promise<IncidentView> {
  try {
    if (!deps.signer) throw new ActRefusedError('this front end has no signing key (SECOPS_BALLOT_KEY_FILE or SECOPS_BALLOT_KEY; `secops keys init` creates one)');
    const incident = await getIncident(deps.db, incidentId);
    if (!incident) throw new ActRefusedError(`no incident ${incidentId}`);
    return await sendAct(deps.client, incident.workflowId, signAct(deps.signer, { incidentId, action, args, actor }));
  } catch (error) {
    if (error instanceof ActRefusedError) {
      await appendAuditEvent(deps.db, { actor, action: `incident.${action}`, subject: incidentId, outcome: 'refused', details: { reason: error.message, via: frontEndOf(actor) } });
    }
    throw error;
  }
}

/** Sends an already signed act as it is: what a hostile client would do, and what tests of the validators need. */
export async function sendAct<A extends ActName>(client: Client, workflowId: string, act: SignedAct<A>): Promise<IncidentView> {
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(ACT_UPDATES[act.action] as (typeof ACT_UPDATES)[A], { args: [act] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new ActRefusedError(error.cause?.message ?? error.message);
    if (error instanceof WorkflowNotFoundError) throw new ActRefusedError(`incident ${act.incidentId} is not running (closed, or never opened)`);
    throw error;
  }
}

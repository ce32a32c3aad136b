import type { Principal } from '../domain/approval-rules';
import { commandRefusal, groupsNamedFor, type CommandAction } from '../domain/authorization';
import type { Config, Target } from '../domain/config';
import { triageGroups, triageRefusal, type TriageRequest } from '../domain/triage-authority';
import { appendAuditEvent } from '../store/audit-events';
import type { Database } from '../store/database';
import { frontEndOf } from './front-end-of';

/** A refusal by the config's authorization rules; its message says what the rule is. */
export class NotAuthorizedError extends Error {}

/**
 * Who asks, as the front end authenticated them: a verified Slack user, or the CLI's user.
 * `groupsIn` answers which of the named Slack user groups the person is in (the Slack app
 * asks Slack; the CLI has no groups).
 */
export interface Requester {
  who: Principal;
  groupsIn?: (groups: string[]) => Promise<string[]>;
}

interface Deps {
  config: Pick<Config, 'authorization' | 'triage'>;
  db?: Database;
}

/**
 * Whether `requester` may do `action` on `subject` (config `authorization`); a refusal is
 * audited (when there is a store) and thrown as NotAuthorizedError, before anything starts.
 */
export async function authorize(deps: Deps, requester: Requester, action: CommandAction, subject: string): Promise<void> {
  const groups = await groupsOf(requester, groupsNamedFor(deps.config.authorization, action));
  const refusal = commandRefusal(deps.config.authorization, action, requester.who, groups);
  if (refusal) await refuse(deps, requester, `command.${action}`, subject, refusal);
}

/** Whether `requester` may triage a finding of `target` this way (owners, accept-risk limits). */
export async function authorizeTriage(deps: Deps, requester: Requester, target: Pick<Target, 'id' | 'owners'>, request: Omit<TriageRequest, 'who' | 'groupsOf'>, subject: string, now = new Date()): Promise<void> {
  const groups = await groupsOf(requester, triageGroups(deps.config.authorization, target.owners));
  const refusal = triageRefusal({ authorization: deps.config.authorization, maxAcceptRiskDays: deps.config.triage.maxAcceptRiskDays }, target, { ...request, who: requester.who, groupsOf: groups }, now);
  if (refusal) await refuse(deps, requester, `triage.${request.kind}`, subject, refusal);
}

async function groupsOf(requester: Requester, named: string[]): Promise<string[]> {
  if (named.length === 0 || !requester.groupsIn || !requester.who.startsWith('slack:')) return [];
  return requester.groupsIn(named);
}

async function refuse(deps: Deps, requester: Requester, action: string, subject: string, refusal: string): Promise<never> {
  if (deps.db) await appendAuditEvent(deps.db, { actor: requester.who, action, subject, outcome: 'refused', details: { reason: refusal, via: frontEndOf(requester.who) } });
  throw new NotAuthorizedError(`not authorized: ${refusal}`);
}

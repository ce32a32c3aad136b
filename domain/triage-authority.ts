import type { Principal } from './approval-rules';
import { memberOf, type Authorization } from './authorization';
import type { TriageDecision } from './triage';
import { SLACK_GROUP_ID, SLACK_USER_ID } from './slack-ids';

/**
 * Who may triage a target's findings: its owners, and whoever `authorization."dast.triage"`
 * names. Accepting a risk hides a finding from every later scan, so only the owners may,
 * and never for longer than the config's maximum. A target's owners are Slack user ids
 * (U…), Slack user groups (S…) and CLI users (`cli:<name>`); anything else is a label that
 * names nobody.
 */
export const DEFAULT_MAX_ACCEPT_RISK_DAYS = 90;

export function ownersPolicy(owners: readonly string[]) {
  return {
    users: owners.filter((o) => SLACK_USER_ID.test(o)),
    groups: owners.filter((o) => SLACK_GROUP_ID.test(o)),
    cliUsers: owners.filter((o) => o.startsWith('cli:')).map((o) => o.slice(4)),
  };
}

export interface TriageRequest {
  who: Principal;
  /** The Slack groups the person is in, among those the rules name. */
  groupsOf: readonly string[];
  kind: TriageDecision['kind'];
  expiresAt?: string;
}

export function triageRefusal(
  settings: { authorization: Authorization; maxAcceptRiskDays: number },
  target: { id: string; owners: readonly string[] },
  request: TriageRequest,
  now: Date,
): string | undefined {
  const owner = memberOf(ownersPolicy(target.owners), request.who, request.groupsOf);
  const delegated = settings.authorization['dast.triage'] ? memberOf(settings.authorization['dast.triage'], request.who, request.groupsOf) : false;
  if (request.kind === 'accepted-risk') {
    if (!owner) return `${request.who} may not accept a risk on ${target.id}: only its owners may (targets[].owners)`;
    const days = request.expiresAt ? (Date.parse(request.expiresAt) - now.getTime()) / 86_400_000 : Infinity;
    if (days > settings.maxAcceptRiskDays + 1) return `an accepted risk may last at most ${settings.maxAcceptRiskDays} days (triage.maxAcceptRiskDays)`;
    return undefined;
  }
  if (!owner && !delegated) return `${request.who} may not triage findings of ${target.id}: not an owner, and authorization."dast.triage" does not name you`;
  return undefined;
}

/** Every Slack group the owners and the triage policy name: those a front end must resolve. */
export function triageGroups(authorization: Authorization, owners: readonly string[]): string[] {
  return [...new Set([...ownersPolicy(owners).groups, ...(authorization['dast.triage']?.groups ?? [])])];
}

import { authorizeTriage, NotAuthorizedError, type Requester } from '../client/authorize';
import { findTarget } from '../domain/dast';
import type { TriageRequest } from '../domain/triage-authority';
import type { SlackAppDeps } from './deps';

/**
 * Why this person may not triage the finding `ref` this way (the refusal is audited), or
 * undefined when they may. A target the config no longer names cannot be triaged.
 */
export async function triageRefused(deps: SlackAppDeps, requester: Requester, ref: { t: string; f: string }, request: Omit<TriageRequest, 'who' | 'groupsOf'>): Promise<string | undefined> {
  const target = findTarget(deps.config, ref.t);
  if (!target) return `target ${ref.t} is not in the config any more; nothing was recorded`;
  try {
    await authorizeTriage(deps, requester, target, request, `${ref.t}/${ref.f}`);
    return undefined;
  } catch (error) {
    if (error instanceof NotAuthorizedError) return error.message;
    throw error;
  }
}

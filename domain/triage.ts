/** A person's decision about one finding of one target; later scans honor it. */
export interface TriageDecision {
  targetId: string;
  fingerprint: string;
  kind: 'accepted-risk' | 'false-positive' | 'ticket';
  reason?: string;
  ticketUrl?: string;
  /** ISO 8601; accepted risks must expire. */
  expiresAt?: string;
  decidedBy: string;
  decidedAt: string;
}

/** Does the decision hide the finding at `now`? Tickets track, they do not hide. */
export function suppresses(decision: TriageDecision, now: Date): boolean {
  if (decision.kind === 'false-positive') return true;
  if (decision.kind === 'accepted-risk') return decision.expiresAt !== undefined && new Date(decision.expiresAt) > now;
  return false;
}

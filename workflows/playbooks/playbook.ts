import type { z } from 'zod';
import type { Principal } from '../../domain/approval-rules';
import type { IncidentSeverity, Milestone } from '../../domain/incident';

/**
 * What a playbook's steps are written with: named helpers that put everything on the
 * incident's timeline by themselves, so the playbook reads as the runbook it replaces.
 */
export interface PlaybookContext {
  incident: { id: string; title: string };
  /** Runs one named step of the runbook; its start, end or failure lands on the timeline. */
  step<T>(name: string, run: () => Promise<T>): Promise<T>;
  /**
   * Asks the approvers of `policyKind` (config `approvals`) through the signed-ballot gate
   * and waits; true only when approved. The request and the decision land on the timeline.
   */
  approve(policyKind: string, summary: string, risk?: 'low' | 'medium' | 'high'): Promise<boolean>;
  /** Opens a task for a person (or anyone on the incident) and waits until it is closed. */
  humanTask(title: string, assignee?: Principal): Promise<'done' | 'not-needed'>;
  /** A fact worth the timeline (an evidence file and its SHA-256, a finding's state). */
  note(text: string, data?: Record<string, string>): Promise<void>;
  /** Dates a milestone from what the playbook just did (containment → mitigated), unless a person set it. */
  milestone(milestone: Milestone): Promise<void>;
  /** Resolves the incident from within: the re-test proved the fix. */
  resolve(summary: string): Promise<void>;
  /**
   * For a playbook that `verifiesFix`: waits until someone resolves the incident, which then
   * only claims the fix (the playbook proves it, or says on the timeline why not).
   */
  fixClaimed(): Promise<{ summary: string; by: string }>;
  /** What the front end prepared for this playbook from the config (client/playbook-preparation.ts). */
  prepared: unknown;
}

export interface Playbook<S extends z.ZodType = z.ZodType> {
  /** kebab-case; what `secops incident start <id>` and alert routes name. */
  id: string;
  title: string;
  description: string;
  /**
   * Validates the playbook's input at every front end, and generates the Slack modal. Built on
   * first use (domain/lazy-schema.ts): an incident's run builds its own playbook's, not all.
   */
  input: S;
  /** The severity an incident it opens starts at, unless its trigger says otherwise. */
  severity: IncidentSeverity;
  /** The approval policies (config `approvals`) it asks: a start without them is refused. */
  approvals: readonly string[];
  /** A person's `resolve` only claims the fix, which the playbook verifies before the incident closes. */
  verifiesFix?: true;
  run(ctx: PlaybookContext, input: z.infer<S>): Promise<void>;
}

/** Identity function that keeps `run`'s input typed by the schema. */
export function definePlaybook<S extends z.ZodType>(playbook: Playbook<S>): Playbook<S> {
  return playbook;
}

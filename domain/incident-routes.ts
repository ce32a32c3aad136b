import { z } from 'zod';
import type { Alert } from './alert';
import { principalSchema } from './ballot';
import { severitySchema } from './incident';
import type { ApprovalPolicy } from './approval';
import { cliUsersOf } from './approval-rules';
import type { SignerKeys } from './ballot';

/**
 * Alert routes (incident.io's "alert routes", Alertmanager's own routing tree): the first
 * route whose labels all match opens an incident with its playbook and severity, and names
 * who responds. Labels match exactly; an alert no route takes is refused, not dropped.
 */
export const incidentRouteSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a short kebab-case name'),
  match: z.record(z.string().min(1), z.string()).refine((labels) => Object.keys(labels).length > 0, 'must match at least one label'),
  playbook: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a playbook id'),
  severity: severitySchema.optional(),
  /** The playbook's input; `{{label}}` in a string value is replaced with the alert's label. */
  input: z.record(z.string(), z.unknown()).default({}),
  commander: principalSchema.optional(),
  participants: z.array(principalSchema).default([]),
});
export type IncidentRoute = z.infer<typeof incidentRouteSchema>;

export const incidentsConfigSchema = z
  .strictObject({ routes: z.array(incidentRouteSchema).default([]) })
  .default({ routes: [] });

/** The first route all of whose labels the alert carries with the same values. */
export function routeOf(routes: readonly IncidentRoute[], alert: Pick<Alert, 'labels'>): IncidentRoute | undefined {
  return routes.find((route) => Object.entries(route.match).every(([label, value]) => alert.labels[label] === value));
}

/** The route's input with `{{label}}` placeholders filled from the alert (a missing label leaves it empty). */
export function routeInput(route: IncidentRoute, alert: Pick<Alert, 'labels'>): Record<string, unknown> {
  const fill = (value: unknown): unknown => typeof value === 'string' ? value.replace(/\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g, (_, label: string) => alert.labels[label] ?? '') : value;
  return Object.fromEntries(Object.entries(route.input).map(([key, value]) => [key, fill(value)]));
}

/** Who may sign acts on incidents: every CLI user an approval policy names, and the Slack app. */
export function incidentSigners(config: { approvals: Record<string, Pick<ApprovalPolicy, 'approvers' | 'escalation'>>; slackApp?: { publicKey: string } | undefined }): SignerKeys {
  const cliUsers = new Map(Object.values(config.approvals).flatMap(cliUsersOf).map((user) => [user.name, user.publicKey]));
  return { cliUsers: [...cliUsers].map(([name, publicKey]) => ({ name, publicKey })), ...(config.slackApp && { slackAppPublicKey: config.slackApp.publicKey }) };
}

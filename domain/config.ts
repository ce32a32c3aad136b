import { z } from 'zod';
import { parseDocument } from 'yaml';
import { TASK_QUEUES } from './task-queues';
import { actionKind, approvalPolicySchema, publicKeySchema } from './approval';
import { authorizationSchema } from './authorization';
import { incidentsConfigSchema } from './incident-routes';
import { DEFAULT_MAX_ACCEPT_RISK_DAYS } from './triage-authority';
import { apiSpecProblems, scopeProblems, urlProblems } from './target-scope';
import { credentialSchema, sharedCredentialProblems } from './credential';
import { ENGINES, INCIDENT_ON, SEVERITIES } from './finding';
import { SCAN_PROFILES, activeScanPolicyProblem, isScanProfile } from './scan-profiles';
import { DEFAULT_FAIL_ON } from './scan-rules';
import { weeklyScheduleSchema } from './schedule-schema';
import { isPrototypeKey, prototypeKeyProblem } from './prototype-keys';
import { ValidationError, formatPath, problemsFromZod, type InputProblem } from './validation-error';

/**
 * `secops.config.yaml`: what the platform runs against. It never holds a secret: tokens,
 * keys and database URLs come from the environment (see environment.ts).
 */

const httpUrl = z.string().superRefine((value, ctx) => {
  for (const message of urlProblems(value)) ctx.addIssue({ code: 'custom', message });
});

const scheduleSchema = weeklyScheduleSchema({ dayOfWeek: 'MONDAY', hour: 3 });

const targetSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes'),
    url: httpUrl,
    engine: z.enum(ENGINES).default('zap'),
    profile: z.enum(SCAN_PROFILES).default('baseline'),
    /** OpenAPI definition (URL or file) for the `api` profile. */
    apiSpec: z.string().min(1).optional(),
    scope: z
      .strictObject({
        hosts: z.array(z.string().min(1)).min(1, 'must list at least one host'),
        // Cloud metadata endpoints (169.254.169.254) leak credentials: opt in explicitly.
        allowLinkLocal: z.boolean().default(false),
      })
      .optional(),
    schedule: scheduleSchema.default({ dayOfWeek: 'MONDAY', hour: 3, minute: 0, timezone: 'UTC' }),
    /** ZAP-format rules: `id<TAB>IGNORE|INFO|WARN|FAIL<TAB>name` per line. */
    rulesFile: z.string().min(1).optional(),
    /** Open findings at or above this severity make the verdict FAIL; the rules file overrides per rule. */
    failOn: z.enum(SEVERITIES).default(DEFAULT_FAIL_ON),
    /** Slack users (U…), Slack groups (S…) and CLI users (cli:<name>) who own the target and may triage it; other entries are labels. */
    owners: z.array(z.string().min(1).max(200)).default([]),
    /**
     * A new finding at or above this severity opens an `exposed-vulnerability` incident with
     * the owners on it (domain/finding-incident.ts). Unset: scans open no incidents.
     */
    incidentOn: z.enum(INCIDENT_ON).optional(),
    channel: z.string().min(1).optional(),
    maxScanMinutes: z.number().int().min(1).max(24 * 60).default(30),
    limits: z
      .strictObject({
        memoryMb: z.number().int().min(128).max(32_768).default(2048),
        cpus: z.number().min(0.1).max(16).default(1),
        pids: z.number().int().min(32).max(32_768).default(512),
      })
      .default({ memoryMb: 2048, cpus: 1, pids: 512 }),
    /** Wapiti attack modules (`-m`); when absent, the profile's (activities/scanners/wapiti-modules.ts). */
    wapitiModules: z.array(z.string().regex(/^[a-z_]+$/, 'must be a Wapiti module name')).min(1).optional(),
    /**
     * A Wapiti endpoint (the Wapiti project's endpoint scripts, reachable by the target and the
     * scanner) for the checks that need one: SSRF and out-of-band XXE run only when it is named.
     */
    wapitiEndpoint: httpUrl.refine((value) => !/[?#]/.test(value), 'must not carry a query or fragment').optional(),
  })
  .superRefine((target, ctx) => {
    if (target.profile === 'api' && !target.apiSpec) ctx.addIssue({ code: 'custom', path: ['apiSpec'], message: 'required for the api profile' });
    for (const problem of scopeProblems(target)) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
    for (const problem of apiSpecProblems(target)) ctx.addIssue({ code: 'custom', path: ['apiSpec'], message: problem.replace(/^apiSpec: /, '') });
  });

const taskQueueName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'must be a task queue name (letters, digits, . _ -)');
const imageRef = z.string().regex(/^[a-z0-9][a-z0-9._/:@-]*$/, 'must be a Docker image reference');

export const DEFAULT_SCANNER_IMAGES = {
  zap: 'ghcr.io/zaproxy/zaproxy:stable',
  wapiti: 'secops-flow/wapiti:latest',
};

const configSchema = z
  .strictObject({
    version: z.literal(1, { error: 'must be 1' }),
    taskQueues: z.strictObject({ control: taskQueueName, scanners: taskQueueName }).default({ ...TASK_QUEUES }),
    artifactsDir: z.string().min(1).default('.secops/artifacts'),
    scanners: z
      .strictObject({ images: z.strictObject({ zap: imageRef, wapiti: imageRef }).default(DEFAULT_SCANNER_IMAGES) })
      .default({ images: DEFAULT_SCANNER_IMAGES }),
    slack: z.strictObject({ channel: z.string().regex(/^(#[a-z0-9._-]+|[CG][A-Z0-9]+)$/, 'must be #channel-name or a channel id') }).optional(),
    targets: z.array(targetSchema).default([]),
    /** Credentials rotated by the credentialRotation workflow. */
    credentials: z.array(credentialSchema).default([]),
    /** Approval policies by action kind (dast.active-scan, rotation.promote, incident.containment, …). */
    approvals: z.record(actionKind, approvalPolicySchema).default({}),
    /** The Slack app's ballot-signing public key: Slack votes count only when signed by it. */
    slackApp: z.strictObject({ publicKey: publicKeySchema }).optional(),
    /** Who may start or see what (dast.scan, dast.triage, rotation.start, run.status). */
    authorization: authorizationSchema,
    triage: z.strictObject({ maxAcceptRiskDays: z.number().int().min(1).max(3650).default(DEFAULT_MAX_ACCEPT_RISK_DAYS) }).default({ maxAcceptRiskDays: DEFAULT_MAX_ACCEPT_RISK_DAYS }),
    /** How alerts open incidents: routes from labels to a playbook, a severity and responders. */
    incidents: incidentsConfigSchema,
    /** The alert webhooks (http/): where they listen, the largest post they read. Their credentials come from the environment. */
    http: z
      .strictObject({
        listen: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port (127.0.0.1:8089)').refine((value) => { const port = Number(value.split(':')[1]); return port >= 1 && port <= 65535; }, 'port must be 1 to 65535').optional(),
        maxBodyKb: z.number().int().min(1).max(16 * 1024, 'must be at most 16384 (16 MiB)').optional(),
      })
      .optional(),
  })
  .superRefine((config, ctx) => {
    for (const [kind, policy] of Object.entries(config.approvals)) {
      const slackApprovers = [policy.approvers, ...policy.escalation.map((s) => s.approvers)].some((a) => a.users.length + a.groups.length > 0);
      if (slackApprovers && !config.slackApp) ctx.addIssue({ code: 'custom', path: ['approvals', kind, 'approvers'], message: 'names Slack approvers, but slackApp.publicKey is not set: their votes could not be verified' });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type Target = Config['targets'][number];

/** Parses config text; throws a ValidationError listing every problem with its path. */
export function parseConfig(text: string, source = 'secops.config.yaml'): Config {
  const raw = readConfigDocument(text, source);
  const secretProblems = findSecretKeys(raw, []);
  const result = configSchema.safeParse(raw);
  const problems = [...secretProblems, ...(result.success ? [] : problemsFromZod(result.error)), ...crossEntryProblems(raw)];
  if (problems.length > 0 || !result.success) throw new ValidationError(source, problems);
  return result.data;
}

/**
 * Rules across entries (unique ids, a policy for active profiles). They read the document
 * itself rather than hang off the schema: zod skips an object's refinements once any part of
 * it fails to parse (a wrong version, a bad approvals key), and a user fixes everything in one
 * pass only when everything is listed. Entries too broken to read are the schema's to report.
 */
function crossEntryProblems(raw: unknown): InputProblem[] {
  const document = recordOf(raw);
  const approvals = recordOf(document.approvals);
  const credentials = entriesOf(document.credentials);
  const targets = entriesOf(document.targets);
  const repeatedCredentials = repeatedIds(credentials);
  const repeatedTargets = repeatedIds(targets);
  return [
    ...credentials.flatMap((credential, i) =>
      repeatedCredentials.has(i) ? [{ path: formatPath(['credentials', i, 'id']), message: `duplicate credential id "${String(credential.id)}"` }] : []),
    ...sharedCredentialProblems(credentials),
    ...targets.flatMap((target, i) => {
      const problems: InputProblem[] = [];
      if (repeatedTargets.has(i)) problems.push({ path: formatPath(['targets', i, 'id']), message: `duplicate target id "${String(target.id)}"` });
      const policyProblem = typeof target.profile === 'string' && isScanProfile(target.profile) ? activeScanPolicyProblem(target.profile, approvals) : undefined;
      if (policyProblem) problems.push({ path: formatPath(['targets', i, 'profile']), message: policyProblem });
      return problems;
    }),
  ];
}

/** The indexes of entries whose id an earlier entry already has. */
function repeatedIds(entries: Record<string, unknown>[]): Set<number> {
  const seen = new Set<string>();
  const repeated = new Set<number>();
  entries.forEach((entry, i) => {
    if (typeof entry.id !== 'string') return;
    if (seen.has(entry.id)) repeated.add(i);
    seen.add(entry.id);
  });
  return repeated;
}

function recordOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The list's entries, each as a record (or empty, keeping the indexes the paths name). */
function entriesOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(recordOf) : [];
}

const SECRET_KEY_ENDINGS = ['token', 'secret', 'password', 'passwd', 'apikey', 'privatekey'];

/** Secrets in a committed file leak; catch them by key name before anything starts. */
function findSecretKeys(value: unknown, path: PropertyKey[]): InputProblem[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => findSecretKeys(item, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
    const here = [...path, key];
    if (SECRET_KEY_ENDINGS.some((ending) => normalized.endsWith(ending))) {
      return [{ path: formatPath(here), message: 'secrets are not allowed in the config file; set them in the environment' }];
    }
    return findSecretKeys(child, here);
  });
}

/** A config file is a page or two of YAML; this is far above any real one and far below what hurts to parse. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/**
 * YAML aliases expand: ten nested aliases of ten can stand for 10^10 nodes ("billion laughs").
 * A real config needs a handful (a shared approver list); past this the document is refused.
 */
const MAX_YAML_ALIASES = 100;

/**
 * The document as plain data, or a ValidationError: too large, not YAML, an alias bomb, an
 * alias that contains itself (a cycle no schema walk would survive), or keys that name a
 * prototype. These stop here, before the schema or any other check walks the document.
 */
function readConfigDocument(text: string, source: string): unknown {
  // Never fewer UTF-8 bytes than characters: the length alone refuses a huge text without encoding it.
  if (text.length > MAX_CONFIG_BYTES || new TextEncoder().encode(text).length > MAX_CONFIG_BYTES) {
    throw new ValidationError(source, [{ path: '', message: configTooLarge() }]);
  }
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ValidationError(source, document.errors.map((e) => ({ path: '', message: `YAML: ${e.message.split('\n')[0]}` })));
  }
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {};
  } catch (error) {
    // The yaml package throws a ReferenceError for "excessive alias count".
    if (!(error instanceof ReferenceError)) throw error;
    throw new ValidationError(source, [{ path: '', message: `YAML: aliases expand to too many nodes (more than ${MAX_YAML_ALIASES} alias uses); write the values out` }]);
  }
  const problems = structureProblems(raw, [], new Set());
  if (problems.length > 0) throw new ValidationError(source, problems);
  return raw;
}

/** The refusal of a config over MAX_CONFIG_BYTES; client/config-file.ts knows the file's size and says it. */
export function configTooLarge(bytes?: number): string {
  return `the config file is ${bytes === undefined ? 'larger than' : `${bytes} bytes, over`} the limit of ${MAX_CONFIG_BYTES} bytes (1 MiB)`;
}

/** Prototype-named keys and cycles (an alias inside its own anchor), each with its path. */
function structureProblems(value: unknown, path: PropertyKey[], ancestors: Set<object>): InputProblem[] {
  if (value === null || typeof value !== 'object') return [];
  if (ancestors.has(value)) return [{ path: formatPath(path), message: 'YAML: an alias refers to a node that contains it (a cycle)' }];
  ancestors.add(value);
  const entries: [PropertyKey, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  const problems = entries.flatMap(([key, child]) => {
    if (isPrototypeKey(key)) return [{ path: formatPath([...path, key]), message: prototypeKeyProblem(String(key)) }];
    return structureProblems(child, [...path, key], ancestors);
  });
  ancestors.delete(value);
  return problems;
}

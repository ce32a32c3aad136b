import { z } from 'zod';
import { parseKeyRing } from './codec-keys';
import { ValidationError, problemsFromZod } from './validation-error';
import { cliUserNameSchema } from './cli-user-name';
import { BEARER_TOKEN } from './bearer-token';
import { webhookSecretProblem } from './standard-webhooks';

/**
 * Every environment variable the platform reads, in one place: secrets live here and
 * nowhere else, and docker-compose.yml is checked against this list by a test.
 */
/** Scanner reports (SECOPS_MAX_REPORT_MB): the default cap and the highest one allowed. */
export const DEFAULT_MAX_REPORT_MB = 256;
const MAX_REPORT_MB_LIMIT = 500;

const optional = z.string().min(1).optional();
const flag = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');
// Parsed here so a bad ring stops every process at start, not at its first payload.
const keyRing = z.string().transform((value, ctx) => {
  try {
    return parseKeyRing(value);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const problem of error.problems) ctx.addIssue({ code: 'custom', message: problem.message });
    return z.NEVER;
  }
});

// Comma-separated so a second secret can be added while senders move to it (key rotation).
const webhookSecrets = z.string().transform((value, ctx) => {
  const secrets = value.split(',').map((secret) => secret.trim()).filter((secret) => secret !== '');
  secrets.forEach((secret, i) => {
    const problem = webhookSecretProblem(secret);
    if (problem) ctx.addIssue({ code: 'custom', message: `secret ${i + 1} ${problem}` });
  });
  if (secrets.length === 0) ctx.addIssue({ code: 'custom', message: 'must list at least one whsec_ secret' });
  return secrets;
});

export const environmentSchema = z
  .object({
    SECOPS_CONFIG: z.string().min(1).default('secops.config.yaml'),
    // Overrides the config's artifactsDir. With a containerized scanner worker it must be the
    // same absolute path on the host and in the worker: the Docker Engine bind-mounts it.
    SECOPS_ARTIFACTS_DIR: z.string().startsWith('/', 'must be an absolute path').optional(),
    /** Who the CLI acts as (approvals, audit): `cli:<SECOPS_USER>`; the OS user name by default. */
    SECOPS_USER: cliUserNameSchema.optional(),
    /** This front end's ballot-signing private key (PEM or OpenSSH text); or SECOPS_BALLOT_KEY_FILE, a file holding it. */
    SECOPS_BALLOT_KEY: optional,
    SECOPS_BALLOT_KEY_FILE: z.string().min(1).optional(),
    /** The Slack app's ballot-signing private key (its public half is the config's slackApp.publicKey); or a file holding it. */
    SECOPS_SLACK_BALLOT_KEY: optional,
    SECOPS_SLACK_BALLOT_KEY_FILE: z.string().min(1).optional(),
    /** The embedded (file) secret store's AES-256 key, base64; rotation reads it in activities only. */
    SECOPS_SECRET_STORE_KEY: optional,
    VAULT_ADDR: z.url().optional(),
    VAULT_TOKEN: optional,
    // Any case, as people type it (`info`); the SDK's logger wants it upper case.
    SECOPS_LOG_LEVEL: z.string().transform((level) => level.toUpperCase()).pipe(z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'], { error: 'must be TRACE, DEBUG, INFO, WARN or ERROR (any case)' })).default('INFO'),
    TEMPORAL_ADDRESS: z.string().regex(/^[^\s/:]+:\d{1,5}$/, 'must be host:port').default('localhost:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TLS_CERT: optional,
    TEMPORAL_TLS_KEY: optional,
    TEMPORAL_TLS_CA: optional,
    TEMPORAL_TLS_SERVER_NAME: optional,
    TEMPORAL_API_KEY: optional,
    TEMPORAL_UI_URL: z.url().optional(),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
    DOCKER_HOST: optional,
    SLACK_BOT_TOKEN: optional,
    SLACK_SIGNING_SECRET: optional,
    SLACK_APP_TOKEN: optional,
    SLACK_SOCKET_MODE: flag,
    // The Slack Web API base URL; tests point it at a local recording server.
    SLACK_API_URL: z.url().optional(),
    SLACK_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    /** Payload encryption: `keyId:base64key,…`, 32-byte keys; the first encrypts, all decrypt. */
    SECOPS_CODEC_KEYS: keyRing.optional(),
    /**
     * Scanner reports larger than this (MiB) are refused before they are read. Reports are
     * parsed as streams, but a report's findings are still gathered before they are stored.
     */
    SECOPS_MAX_REPORT_MB: z.coerce.number({ error: 'must be a whole number of MiB' }).int('must be a whole number of MiB').min(1, 'must be at least 1 (MiB)').max(MAX_REPORT_MB_LIMIT, `must be at most ${MAX_REPORT_MB_LIMIT} (MiB): the findings of a report are still gathered in memory before they are stored`).default(DEFAULT_MAX_REPORT_MB),
    /** Bearer token the codec server requires (Temporal CLI `--codec-auth`). */
    SECOPS_CODEC_SERVER_TOKEN: z.string().min(32, 'must be at least 32 characters (openssl rand -hex 32)').optional(),
    /** Bearer token Alertmanager sends to http/'s POST /hooks/alertmanager (`http_config.authorization`); unset, that endpoint is off. */
    SECOPS_ALERTMANAGER_TOKEN: z.string().min(32, 'must be at least 32 characters (openssl rand -hex 32)').regex(BEARER_TOKEN, 'must be a bearer token: letters, digits, - . _ ~ + / and trailing =').optional(),
    /** Standard Webhooks secrets (`whsec_<base64>`, comma-separated) for http/'s POST /hooks/events; unset, that endpoint is off. */
    SECOPS_WEBHOOK_SECRETS: webhookSecrets.optional(),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_KEY'], message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together' });
    }
    if (!env.SLACK_BOT_TOKEN) return;
    if (env.SLACK_SOCKET_MODE && !env.SLACK_APP_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_APP_TOKEN'], message: 'required when SLACK_SOCKET_MODE=true' });
    }
    if (!env.SLACK_SIGNING_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'required with SLACK_BOT_TOKEN (Bolt verifies every request with it)' });
    }
  });

export type Environment = z.infer<typeof environmentSchema>;

export const ENVIRONMENT_VARIABLES = Object.keys(environmentSchema.shape);

export function parseEnvironment(env: Record<string, string | undefined>): Environment {
  // An empty variable means "unset", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = environmentSchema.safeParse(present);
  if (!result.success) throw new ValidationError('environment', problemsFromZod(result.error));
  return result.data;
}

export function slackConfigured(env: Environment): boolean {
  return Boolean(env.SLACK_BOT_TOKEN);
}

/**
 * The scanner report cap in bytes, from SECOPS_MAX_REPORT_MB alone: the ingest activity reads
 * it where the rest of the environment is not its business (the worker checked it all at start).
 */
export function maxReportBytes(env: Record<string, string | undefined>): number {
  const result = environmentSchema.shape.SECOPS_MAX_REPORT_MB.safeParse(env.SECOPS_MAX_REPORT_MB || undefined);
  if (!result.success) throw new ValidationError('environment', problemsFromZod(result.error).map((p) => ({ ...p, path: 'SECOPS_MAX_REPORT_MB' })));
  return result.data * 1024 * 1024;
}

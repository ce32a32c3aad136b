import { z } from 'zod';
import { durationSchema, weeklyScheduleSchema } from './schedule-schema';

/**
 * A credential the platform rotates: where it is used (target), where its versions live
 * (secret store), when it rotates and how long the previous one stays valid. Admin URLs,
 * tokens and keys are named by environment variable, never written here.
 */
const roleName = z.string().regex(/^[a-z_][a-z0-9_]{0,60}$/, 'must be a lowercase role name');
const envVarName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an environment variable name');
/** No segment may start with `.`, so `..` cannot climb out of a store or a Vault mount; stores check paths with it too. */
export const secretPathSchema = z.string().max(512).regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/, 'must be segments of letters, digits, . _ - joined by /, none starting with .');

export const credentialSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes'),
  target: z.strictObject({
    provider: z.literal('postgres-role'),
    /** The variable holding a postgres:// URL of a role allowed to ALTER ROLE. */
    adminUrlEnv: envVarName,
    strategy: z.enum(['single-user', 'alternating-users']),
    /** The role (single-user), or the base of `<role>_a` / `<role>_b` (alternating-users). */
    role: roleName,
  }),
  secretStore: z.discriminatedUnion('provider', [
    z.strictObject({ provider: z.literal('file'), file: z.string().min(1), path: secretPathSchema }),
    z.strictObject({ provider: z.literal('vault-kv2'), mount: secretPathSchema, path: secretPathSchema }),
  ]),
  schedule: weeklyScheduleSchema({ dayOfWeek: 'TUESDAY', hour: 10 }).optional(),
  /** How long the previous credential keeps working after promotion. */
  gracePeriod: durationSchema.default('1h'),
  /** Told when a new credential is promoted (consumers) and when a rotation fails (on-call). */
  consumersChannel: z.string().optional(),
  onCallChannel: z.string().optional(),
});

export type CredentialConfig = z.infer<typeof credentialSchema>;

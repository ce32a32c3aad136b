import { z } from 'zod';
import { durationSchema, weeklyScheduleSchema } from './schedule-schema';
import { secretLocation } from './secret-location';
import { formatPath, type InputProblem } from './validation-error';

/**
 * A credential the platform rotates: where it is used (target), where its versions live
 * (secret store), when it rotates and how long the previous one stays valid. Admin URLs,
 * tokens and keys are named by environment variable, never written here.
 */
const roleName = z.string().regex(/^[a-z_][a-z0-9_]{0,60}$/, 'must be a lowercase role name');
const envVarName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an environment variable name');

/**
 * Names that are properties of every JavaScript object: a store keyed by path in a plain
 * object would find Object.prototype there instead of a secret, and assigning `__proto__`
 * replaces the prototype. Refused as any segment, so no store or tool downstream meets them.
 */
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** No segment may start with `.`, so `..` cannot climb out of a store or a Vault mount; stores check paths with it too. */
export const secretPathSchema = z
  .string()
  .max(512)
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/, 'must be segments of letters, digits, . _ - joined by /, none starting with .')
  .refine((path) => !path.split('/').some((segment) => PROTOTYPE_NAMES.has(segment)), 'must not have a segment named __proto__, constructor or prototype');

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

/** The database users a credential's rotations re-password. */
export function managedUsers(target: CredentialConfig['target']): string[] {
  return target.strategy === 'single-user' ? [target.role] : [`${target.role}_a`, `${target.role}_b`];
}

/**
 * Two credentials sharing one secret (same store and path) or one database user (same
 * admin connection and user) would overwrite each other's versions or passwords: the later
 * entry is refused, naming the earlier one. Entries that do not parse are the schema's to
 * report, and two entries with one id are already reported as a duplicate id.
 */
export function sharedCredentialProblems(entries: readonly unknown[]): InputProblem[] {
  const owners = new Map<string, { id: string; index: number }>();
  const problems: InputProblem[] = [];
  entries.forEach((entry, index) => {
    const parsed = credentialSchema.safeParse(entry);
    if (!parsed.success) return;
    const credential = parsed.data;
    const claims = [
      { key: `store ${storeKey(credential.secretStore)}`, path: ['secretStore', 'path'], what: `secret (${secretLocation(credential)})`, clash: 'versions' },
      ...managedUsers(credential.target).map((user) => ({
        key: `user ${credential.target.adminUrlEnv} ${user}`, path: ['target', 'role'], what: `database user ${user} (admin connection ${credential.target.adminUrlEnv})`, clash: 'passwords',
      })),
    ];
    const reported = new Set<string>();
    for (const claim of claims) {
      const owner = owners.get(claim.key);
      if (!owner) {
        owners.set(claim.key, { id: credential.id, index });
        continue;
      }
      const problemPath = formatPath(['credentials', index, ...claim.path]);
      if (owner.id === credential.id || reported.has(`${problemPath} ${owner.id}`)) continue;
      reported.add(`${problemPath} ${owner.id}`);
      problems.push({
        path: problemPath,
        message: `the ${claim.what} is also rotated by credential "${owner.id}" (credentials[${owner.index}]): the two would overwrite each other's ${claim.clash}`,
      });
    }
  });
  return problems;
}

/** One key per place a secret lives: `./s.json` and `s.json` are one file. */
function storeKey(store: CredentialConfig['secretStore']): string {
  if (store.provider === 'vault-kv2') return `vault ${store.mount} ${store.path}`;
  const file = store.file.replace(/\/+/g, '/').replace(/(^|\/)(\.\/)+/g, '$1');
  return `file ${file} ${store.path}`;
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';
import { RotationTargetError, type Credential, type RotationTarget } from './rotation-target';
import { scramSha256Verifier } from './scram-verifier';

/**
 * PostgreSQL role passwords as a rotation target, with two strategies:
 *
 * - `single-user`: one role; apply replaces its password, so the old one stops working
 *   at once and every consumer must pick up the new one before its next connection.
 * - `alternating-users`: two roles `<base>_a` and `<base>_b` with the same grants
 *   (typically both members of a group role `<base>`). Each rotation sets a new password
 *   on the role not in use and promotes it; the old role keeps working through the grace
 *   period until revoke, so consumers switch over without an outage.
 *
 * The admin connection (a role with CREATEROLE) comes from an environment variable named
 * in the config, never from the config itself. Passwords reach the server only as SCRAM
 * verifiers (see scram-verifier.ts) and the login probe's authentication exchange.
 */
const roleName = z.string().regex(/^[a-z_][a-z0-9_]{0,60}$/, 'must be a lowercase role name (letters, digits, _; at most 61 characters)');
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL');

export const postgresRoleTargetSchema = z.discriminatedUnion('strategy', [
  z.strictObject({ strategy: z.literal('single-user'), role: roleName }),
  z.strictObject({ strategy: z.literal('alternating-users'), baseRole: roleName }),
]);

export type PostgresRoleStrategy = z.infer<typeof postgresRoleTargetSchema>;

const CONNECT_TIMEOUT_MS = 5_000;

export class PostgresRoleTarget implements RotationTarget {
  private readonly roles: readonly string[];

  constructor(
    private readonly strategy: PostgresRoleStrategy,
    private readonly adminUrl: string,
  ) {
    this.roles = strategy.strategy === 'single-user' ? [strategy.role] : [`${strategy.baseRole}_a`, `${strategy.baseRole}_b`];
  }

  /** `adminUrlEnv` names the variable holding the admin URL, e.g. SHOP_DB_ADMIN_URL. */
  static fromEnvironment(strategy: PostgresRoleStrategy, adminUrlEnv: string, env: Record<string, string | undefined> = process.env): PostgresRoleTarget {
    const parsedStrategy = postgresRoleTargetSchema.safeParse(strategy);
    if (!parsedStrategy.success) throw new RotationTargetError(`PostgreSQL role target: ${parsedStrategy.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    const url = postgresUrl.safeParse(env[adminUrlEnv] || undefined);
    if (!url.success) throw new RotationTargetError(`${adminUrlEnv} ${env[adminUrlEnv] ? 'must be a postgres:// URL' : 'is not set; it holds the admin connection URL for this target'}`);
    return new PostgresRoleTarget(parsedStrategy.data, url.data);
  }

  nextUsername(current?: string): string {
    const [first, second] = this.roles as [string, string | undefined];
    if (second === undefined) return first;
    if (current === undefined) return first;
    this.requireOwnRole(current);
    return current === first ? second : first;
  }

  async apply(credential: Credential): Promise<void> {
    this.requireOwnRole(credential.username);
    const verifier = scramSha256Verifier(credential.password);
    await this.asAdmin(async (admin) => {
      await this.requireRoleExists(admin, credential.username);
      // An alternating role was set NOLOGIN when it was last revoked: it takes logins again.
      const login = this.strategy.strategy === 'alternating-users' ? 'LOGIN ' : '';
      await admin.query(`ALTER ROLE ${admin.escapeIdentifier(credential.username)} WITH ${login}PASSWORD ${admin.escapeLiteral(verifier)}`);
    });
  }

  async verify(credential: Credential): Promise<void> {
    this.requireOwnRole(credential.username);
    const url = new URL(this.adminUrl);
    url.username = encodeURIComponent(credential.username);
    url.password = encodeURIComponent(credential.password);
    const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const probe = await client.query<{ ok: number }>('SELECT 1 AS ok');
      if (probe.rows[0]?.ok !== 1) throw new Error('the probe query SELECT 1 returned no row');
    } catch (error) {
      const message = `cannot log in to ${url.host}${url.pathname} as ${credential.username} with the new password: ${scrub(error, credential.password)}`;
      throw isRefusal(error) ? new RotationTargetError(message) : new Error(message);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * single-user: nothing to do. The new password replaced the old one when it was applied,
   * so the old credential is already dead.
   *
   * alternating-users: the superseded role gets NOLOGIN and a random password nobody knows,
   * so the old credential fails even if someone re-enables LOGIN. Sessions already open
   * stay open until they disconnect (ending them needs pg_signal_backend, which a CREATEROLE
   * admin does not have).
   */
  async revoke(credential: Credential): Promise<void> {
    this.requireOwnRole(credential.username);
    if (this.strategy.strategy === 'single-user') return;
    const unusable = scramSha256Verifier(randomBytes(32).toString('base64'));
    await this.asAdmin(async (admin) => {
      await this.requireRoleExists(admin, credential.username);
      await admin.query(`ALTER ROLE ${admin.escapeIdentifier(credential.username)} WITH NOLOGIN PASSWORD ${admin.escapeLiteral(unusable)}`);
    });
  }

  /** Refuses any other role: a mixed-up credential must never re-password an unrelated role. */
  private requireOwnRole(username: string): void {
    if (!this.roles.includes(username)) {
      throw new RotationTargetError(`role ${JSON.stringify(username)} is not managed by this target (expected ${this.roles.join(' or ')})`);
    }
  }

  private async requireRoleExists(admin: pg.Client, role: string): Promise<void> {
    const found = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (found.rowCount === 0) {
      const hint = this.strategy.strategy === 'alternating-users' ? ` IN ROLE ${this.strategy.baseRole}` : '';
      throw new RotationTargetError(`role ${role} does not exist; create it first (CREATE ROLE ${role} LOGIN${hint})`);
    }
  }

  private async asAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
    const admin = new pg.Client({ connectionString: this.adminUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    admin.on('error', () => undefined);
    const where = redactedHost(this.adminUrl);
    await admin.connect().catch((error: Error) => {
      const message = `cannot connect to the target's admin connection ${where}: ${error.message}`;
      throw isRefusal(error) ? new RotationTargetError(message) : new Error(message);
    });
    try {
      return await work(admin);
    } catch (error) {
      if (error instanceof RotationTargetError) throw error;
      const message = `changing a role on ${where} failed: ${(error as Error).message}`;
      throw isRefusal(error) ? new RotationTargetError(message) : new Error(message);
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
}

/**
 * SQLSTATE classes a retry cannot fix: 28 (authorization: wrong password, NOLOGIN),
 * 3D (no such database), 42 (insufficient privilege, e.g. an admin without CREATEROLE).
 */
function isRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(28|3D|42)/.test(code);
}

function redactedHost(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname}`;
}

/** Driver messages do not echo passwords, but a secret must not leak even if one did. */
function scrub(error: unknown, password: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(password).join('***');
}

import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../domain/config';
import { credentialSchema } from '../../domain/credential';
import { credentialRotationInput } from '../../domain/rotation';
import { publicKeyLine } from '../../domain/signing-key';
import { ValidationError } from '../../domain/validation-error';

/** One credential entry of secops.config.yaml, as flow YAML. */
function entry(id: string, { role = id.replace(/-/g, '_'), strategy = 'single-user', adminUrlEnv = 'DB_ADMIN_URL', store = `{ provider: file, file: /var/lib/secops/secrets.json, path: "db/${id}" }` } = {}): string {
  return `  - { id: ${id}, target: { provider: postgres-role, adminUrlEnv: ${adminUrlEnv}, strategy: ${strategy}, role: ${role} }, secretStore: ${store} }\n`;
}

/** The problems of a refused config; parseConfig returns nothing else, so a refusal changes nothing. */
function refusal(yaml: string): string[] {
  let parsed: Config | undefined;
  try {
    parsed = parseConfig(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error(`expected a refusal, got ${parsed.credentials.length} credential(s)`);
}

const config = (...entries: string[]) => `version: 1\ncredentials:\n${entries.join('')}`;

describe('credentials in secops.config.yaml', () => {
  it('accepts credentials that share neither a secret nor a database user', () => {
    const parsed = parseConfig(config(
      entry('shop-db'),
      entry('shop-db-b', { strategy: 'alternating-users', role: 'shop_b_app' }),
      entry('other', { store: '{ provider: vault-kv2, mount: secret, path: db/shop-db }' }),
      // The same role name behind another admin connection is another server's role.
      entry('replica', { role: 'shop_db', adminUrlEnv: 'REPLICA_ADMIN_URL', store: '{ provider: file, file: /var/lib/secops/replica.json, path: db/shop-db }' }),
    ));
    expect(parsed.credentials.map((c) => c.id)).toEqual(['shop-db', 'shop-db-b', 'other', 'replica']);
  });

  it.each([
    {
      name: 'two credentials on one file store path',
      entries: [entry('first', { store: '{ provider: file, file: /var/lib/secops/secrets.json, path: shop/db }' }), entry('second', { store: '{ provider: file, file: /var/lib/secops/secrets.json, path: shop/db }' })],
      problems: ['credentials[1].secretStore.path: the secret (file store /var/lib/secops/secrets.json, path shop/db) is also rotated by credential "first" (credentials[0]): the two would overwrite each other\'s versions'],
    },
    {
      name: 'one file written two ways',
      entries: [entry('first', { store: '{ provider: file, file: ./secrets.json, path: shop/db }' }), entry('second', { store: '{ provider: file, file: secrets.json, path: shop/db }' })],
      problems: ['credentials[1].secretStore.path: the secret (file store secrets.json, path shop/db) is also rotated by credential "first" (credentials[0]): the two would overwrite each other\'s versions'],
    },
    {
      name: 'two credentials on one Vault path',
      entries: [entry('first', { store: '{ provider: vault-kv2, mount: secret, path: shop/db }' }), entry('second', { store: '{ provider: vault-kv2, mount: secret, path: shop/db }' })],
      problems: ['credentials[1].secretStore.path: the secret (Vault KV v2 mount secret, path shop/db) is also rotated by credential "first" (credentials[0]): the two would overwrite each other\'s versions'],
    },
    {
      name: 'two single-user credentials on one role',
      entries: [entry('first', { role: 'shop_app' }), entry('second', { role: 'shop_app' })],
      problems: ['credentials[1].target.role: the database user shop_app (admin connection DB_ADMIN_URL) is also rotated by credential "first" (credentials[0]): the two would overwrite each other\'s passwords'],
    },
    {
      name: 'a single-user role that is one of an alternating pair',
      entries: [entry('pair', { strategy: 'alternating-users', role: 'shop' }), entry('single', { role: 'shop_b' })],
      problems: ['credentials[1].target.role: the database user shop_b (admin connection DB_ADMIN_URL) is also rotated by credential "pair" (credentials[0]): the two would overwrite each other\'s passwords'],
    },
    {
      name: 'both at once, against two earlier entries',
      entries: [entry('a', { role: 'shop_app' }), entry('b', { store: '{ provider: file, file: s.json, path: p }' }), entry('c', { role: 'shop_app', store: '{ provider: file, file: s.json, path: p }' })],
      problems: [
        'credentials[2].secretStore.path: the secret (file store s.json, path p) is also rotated by credential "b" (credentials[1]): the two would overwrite each other\'s versions',
        'credentials[2].target.role: the database user shop_app (admin connection DB_ADMIN_URL) is also rotated by credential "a" (credentials[0]): the two would overwrite each other\'s passwords',
      ],
    },
  ])('refuses $name, naming both entries', ({ entries, problems }) => {
    expect(refusal(config(...entries))).toEqual(problems);
  });

  it('reports a shared role even when another part of the document stops the schema', () => {
    expect(refusal(`version: 2\ncredentials:\n${entry('first', { role: 'shop_app' })}${entry('second', { role: 'shop_app' })}`)).toEqual([
      'version: must be 1',
      expect.stringMatching(/^credentials\[1\]\.target\.role: the database user shop_app .* credential "first" \(credentials\[0\]\)/),
    ]);
  });

  it.each(['__proto__', 'constructor', 'prototype', 'shop/__proto__', 'constructor/db', 'a/prototype/b'])('refuses the secret path %s', (path) => {
    const problem = 'must not have a segment named __proto__, constructor or prototype';
    expect(refusal(config(entry('db', { store: `{ provider: file, file: s.json, path: "${path}" }` })))).toEqual([`credentials[0].secretStore.path: ${problem}`]);
    expect(refusal(config(entry('db', { store: `{ provider: vault-kv2, mount: secret, path: "${path}" }` })))).toEqual([`credentials[0].secretStore.path: ${problem}`]);
    expect(refusal(config(entry('db', { store: `{ provider: vault-kv2, mount: "${path}", path: db }` })))).toEqual([`credentials[0].secretStore.mount: ${problem}`]);
  });

  it('still takes names that merely contain those words', () => {
    for (const path of ['proto', 'constructors', 'my_prototype', '__proto', 'shop/constructor-db']) {
      expect(credentialSchema.safeParse({ id: 'db', target: { provider: 'postgres-role', adminUrlEnv: 'X', strategy: 'single-user', role: 'db' }, secretStore: { provider: 'file', file: 's.json', path } }).success, path).toBe(true);
    }
  });

  it('hands a rotation its own rotation.recover policy when the config has one (the workflow falls back to the promote policy)', () => {
    const key = publicKeyLine(ed25519.keygen().publicKey);
    const policy = (name: string) => `{ approvers: { cliUsers: [{ name: ${name}, publicKey: "${key}" }] } }`;
    const withPromote = parseConfig(`${config(entry('db'))}approvals:\n  rotation.promote: ${policy('alice')}\n`);
    const withBoth = parseConfig(`${config(entry('db'))}approvals:\n  rotation.promote: ${policy('alice')}\n  rotation.recover: ${policy('dba')}\n`);
    const promoteOnly = credentialRotationInput(withPromote, withPromote.credentials[0]!, 'schedule');
    expect(promoteOnly.promotePolicy?.approvers.cliUsers.map((u) => u.name)).toEqual(['alice']);
    expect(promoteOnly).not.toHaveProperty('recoverPolicy');
    expect(credentialRotationInput(withBoth, withBoth.credentials[0]!, 'schedule').recoverPolicy?.approvers.cliUsers.map((u) => u.name)).toEqual(['dba']);
  });
});

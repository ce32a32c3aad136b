import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_CONFIG_BYTES, parseConfig } from '../../domain/config';
import { MAX_DURATION_MS, durationMs } from '../../domain/duration';
import { loadConfigFile } from '../../client/config-file';
import { ValidationError } from '../../domain/validation-error';

function problemsOf(text: string): string[] {
  try {
    parseConfig(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
  }
  throw new Error('expected the config to be rejected');
}

describe('secops.config.yaml', () => {
  it('parses the committed example with its defaults applied', () => {
    const config = parseConfig(readFileSync('secops.config.yaml', 'utf8'));
    expect(config.taskQueues).toEqual({ control: 'secops-control', scanners: 'secops-scanners' });
    expect(config.targets.map((t) => [t.id, t.engine, t.profile])).toEqual([['demo-app', 'wapiti', 'baseline']]);
    expect(config.targets[0]?.schedule).toEqual({ dayOfWeek: 'MONDAY', hour: 3, minute: 0, timezone: 'UTC' });
  });

  it('fills defaults for a minimal file', () => {
    const config = parseConfig('version: 1\ntargets:\n  - id: shop\n    url: https://shop.example.test/\n');
    expect(config.targets[0]).toMatchObject({ engine: 'zap', profile: 'baseline', maxScanMinutes: 30, owners: [] });
    expect(config.scanners.images.zap).toBe('ghcr.io/zaproxy/zaproxy:stable');
  });

  it('lists every problem with its path, not just the first', () => {
    const problems = problemsOf(`
version: 1
targets:
  - id: ok-one
    url: http://127.0.0.1:8080/
    scope: { hosts: [127.0.0.1] }
  - id: ok-one
    url: https://a.example.test/
  - id: bad
    url: ftp://files.example.test/
  - id: Bad_Id
    url: http://outside.example.test/
    scope: { hosts: [inside.example.test] }
    schedule: { timezone: Mars/Olympus, hour: 25 }
    colour: blue
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'targets[1].id: duplicate target id "ok-one"',
        'targets[2].url: must be http(s)',
        'targets[3].id: must be lowercase letters, digits and dashes',
        'targets[3].url: host outside.example.test is outside scope.hosts (inside.example.test)',
        'targets[3].schedule.timezone: must be an IANA time zone such as Europe/Paris',
        expect.stringMatching(/^targets\[3\]\.schedule\.hour: /),
        expect.stringMatching(/^targets\[3\]: .*colour/),
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('rejects secrets in the file and points to the environment', () => {
    const problems = problemsOf('version: 1\nslack:\n  channel: "#secops"\n  botToken: test-bot-token-not-a-real-token\n');
    expect(problems).toContain('slack.botToken: secrets are not allowed in the config file; set them in the environment');
  });

  it('rejects a URL with embedded credentials, a wrong version and broken YAML', () => {
    expect(problemsOf('version: 1\ntargets:\n  - id: a\n    url: https://user:pw@a.example.test/\n')).toEqual(['targets[0].url: must not embed credentials']);
    expect(problemsOf('version: 2\n')).toEqual(['version: must be 1']);
    expect(problemsOf('version: 1\ntargets: [\n')[0]).toMatch(/^YAML: /);
  });

  it('checks credentials: unique ids, secret paths that cannot climb out, env var names', () => {
    const credential = (id: string, path: string) => `  - { id: ${id}, target: { provider: postgres-role, adminUrlEnv: SHOP_DB_ADMIN_URL, strategy: single-user, role: shop }, secretStore: { provider: file, file: s.json, path: "${path}" } }\n`;
    expect(problemsOf(`version: 1\ncredentials:\n${credential('db', 'shop/db')}${credential('db', 'shop/../etc')}`)).toEqual([
      'credentials[1].secretStore.path: must be segments of letters, digits, . _ - joined by /, none starting with .',
      'credentials[1].id: duplicate credential id "db"',
    ]);
    expect(problemsOf(`version: 1\ncredentials:\n${credential('db', 'shop/db').replace(' }\n', ', schedule: { timezone: Mars/Olympus } }\n')}`)).toEqual([
      'credentials[0].schedule.timezone: must be an IANA time zone such as Europe/Paris',
    ]);
    expect(problemsOf(`version: 1\ncredentials:\n${credential('db', 'shop/db').replace('SHOP_DB_ADMIN_URL', 'postgres://u:p@db/x')}`)[0]).toMatch(/^credentials\[0\]\.target\.adminUrlEnv: must be an environment variable name$/);
  });

  it('lists duplicate ids and missing policies together with problems that stop the schema early', () => {
    // A wrong version and a bad approvals key end zod's checks of the whole document; the
    // rules across entries must still be reported in the same pass.
    expect(problemsOf(`
version: 2
targets:
  - { id: shop, url: "https://shop.example.test/" }
  - { id: shop, url: "https://other.example.test/", profile: full }
credentials:
  - { id: db, target: { provider: postgres-role, adminUrlEnv: DB_ADMIN_URL, strategy: single-user, role: shop }, secretStore: { provider: file, file: s.json, path: shop/db } }
  - { id: db, target: { provider: postgres-role, adminUrlEnv: DB_ADMIN_URL, strategy: single-user, role: shop }, secretStore: { provider: file, file: s.json, path: shop/db2 } }
approvals: { "Not A Kind": { approvers: { cliUsers: [alice] } } }
`)).toEqual([
      'version: must be 1',
      expect.stringMatching(/^approvals\.Not A Kind: /),
      'credentials[1].id: duplicate credential id "db"',
      'targets[1].id: duplicate target id "shop"',
      'targets[1].profile: the full profile scans actively and needs an approvals."dast.active-scan" policy',
    ]);
  });

  it('does not guess about entries too broken to read: the schema reports those', () => {
    expect(problemsOf('version: 1\ntargets: shop\n')).toEqual(['targets: Invalid input: expected array, received string']);
    expect(problemsOf('version: 1\ntargets:\n  - { id: a, url: "https://a.example.test/", profile: turbo }\n')).toEqual([expect.stringMatching(/^targets\[0\]\.profile: /)]);
  });

  it('fails on high and critical findings by default; failOn takes any severity', () => {
    const targets = (extra: string) => `version: 1\ntargets:\n  - { id: shop, url: "https://shop.example.test/"${extra} }\n`;
    expect(parseConfig(targets('')).targets[0]?.failOn).toBe('high');
    expect(parseConfig(targets(', failOn: medium')).targets[0]?.failOn).toBe('medium');
    expect(problemsOf(targets(', failOn: severe'))).toEqual([expect.stringMatching(/^targets\[0\]\.failOn: .*"critical"/)]);
  });

  it('bounds every duration at 366 days, with a message that does not quote the value', () => {
    const withGrace = (gracePeriod: string) =>
      `version: 1\ncredentials:\n  - { id: db, target: { provider: postgres-role, adminUrlEnv: DB_ADMIN_URL, strategy: single-user, role: shop }, secretStore: { provider: file, file: s.json, path: shop/db }, gracePeriod: "${gracePeriod}" }\n`;
    expect(parseConfig(withGrace('366 days')).credentials[0]?.gracePeriod).toBe('366 days');
    expect(parseConfig(withGrace('8784h')).credentials[0]?.gracePeriod).toBe('8784h');
    expect(durationMs('366d')).toBe(MAX_DURATION_MS);
    for (const huge of ['367d', '8785h', '100000000000000000000 days', '9'.repeat(400) + 's']) {
      expect(problemsOf(withGrace(huge))).toEqual(['credentials[0].gracePeriod: must be at most 366 days']);
    }
    expect(problemsOf(withGrace('1 fortnight'))).toEqual(['credentials[0].gracePeriod: must be a duration such as 30m, 4h or 2d']);
  });

  it('refuses prototype-named keys anywhere in the document, naming the path', () => {
    expect(problemsOf('version: 1\n__proto__: { admin: true }\n')).toEqual(['__proto__: "__proto__" is not allowed as a key (it names an object prototype)']);
    expect(problemsOf('version: 1\ntargets:\n  - { id: a, url: "https://a.example.test/", scope: { hosts: [a.example.test], constructor: 1 } }\n')).toEqual([
      'targets[0].scope.constructor: "constructor" is not allowed as a key (it names an object prototype)',
    ]);
    expect(problemsOf('version: 1\napprovals: { prototype: {} }\n')).toEqual(['approvals.prototype: "prototype" is not allowed as a key (it names an object prototype)']);
    expect(Object.getPrototypeOf(Object.prototype)).toBeNull();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses alias bombs and aliases that contain themselves, before anything walks them', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 9; level += 1) lines.push(`a${level}: &a${level} [${Array(10).fill(`*a${level - 1}`).join(', ')}]`);
    expect(problemsOf(`version: 1\n${lines.join('\n')}\n`)).toEqual(['YAML: aliases expand to too many nodes (more than 100 alias uses); write the values out']);
    expect(problemsOf('version: 1\nloop: &loop { self: *loop }\n')).toEqual(['loop.self: YAML: an alias refers to a node that contains it (a cycle)']);
    // A few aliases, as a shared list of owners needs, are fine.
    const shared = parseConfig('version: 1\ntargets:\n  - { id: a, url: "https://a.example.test/", owners: &owners [U0AAA, U0BBB] }\n  - { id: b, url: "https://b.example.test/", owners: *owners }\n');
    expect(shared.targets[1]?.owners).toEqual(['U0AAA', 'U0BBB']);
  });

  it('refuses a config over 1 MiB, as text and as a file, the file from its size', () => {
    const big = `version: 1\n# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`;
    expect(problemsOf(big)).toEqual([`the config file is larger than the limit of ${MAX_CONFIG_BYTES} bytes (1 MiB)`]);
    // Multi-byte characters count as the bytes they are.
    expect(problemsOf(`version: 1\n# ${'é'.repeat(MAX_CONFIG_BYTES / 2)}\n`)).toEqual([`the config file is larger than the limit of ${MAX_CONFIG_BYTES} bytes (1 MiB)`]);
    const file = join(mkdtempSync(join(tmpdir(), 'secops-config-size-')), 'secops.config.yaml');
    writeFileSync(file, 'version: 1\n');
    // Sparse: 1 GiB that reading would take seconds to refuse; the size alone refuses it at once.
    truncateSync(file, 1024 ** 3);
    expect(() => loadConfigFile(file)).toThrow(`${file} is invalid:\n  - the config file is ${1024 ** 3} bytes, over the limit of ${MAX_CONFIG_BYTES} bytes (1 MiB)`);
  });

  it('reports a missing file as a validation error naming the file', () => {
    expect(() => loadConfigFile('/nonexistent/secops.config.yaml')).toThrow(/\/nonexistent\/secops\.config\.yaml is invalid:\n {2}- cannot read the config file \(ENOENT\)/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../domain/config';
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

  it('reports a missing file as a validation error naming the file', () => {
    expect(() => loadConfigFile('/nonexistent/secops.config.yaml')).toThrow(/\/nonexistent\/secops\.config\.yaml is invalid:\n {2}- cannot read the config file \(ENOENT\)/);
  });
});

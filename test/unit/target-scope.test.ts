import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../domain/config';
import { embeddedIpv4, isLinkLocalAddress, targetProblems } from '../../domain/target-scope';

describe('target scope', () => {
  it('accepts a loopback target inside its scope', () => {
    expect(targetProblems({ url: 'http://127.0.0.1:8088/', scope: { hosts: ['127.0.0.1'], allowLinkLocal: false } })).toEqual([]);
  });

  it('rejects out-of-scope hosts, non-http(s) URLs and embedded credentials', () => {
    expect(targetProblems({ url: 'http://evil.example.test/', scope: { hosts: ['127.0.0.1'], allowLinkLocal: false } })).toEqual(['host evil.example.test is outside scope.hosts (127.0.0.1)']);
    expect(targetProblems({ url: 'file:///etc/passwd' })).toEqual(['must be http(s)']);
    expect(targetProblems({ url: 'gopher://127.0.0.1/' })).toEqual(['must be http(s)']);
    expect(targetProblems({ url: 'http://u:p@127.0.0.1/' })).toEqual(['must not embed credentials']);
    expect(targetProblems({ url: 'not a url' })).toEqual(['must be an absolute URL']);
  });

  it('rejects metadata and link-local addresses unless explicitly allowed', () => {
    expect(targetProblems({ url: 'http://169.254.169.254/latest/meta-data/' })).toEqual(['169.254.169.254 is a link-local/metadata address; set scope.allowLinkLocal to scan it']);
    expect(targetProblems({ url: 'http://[fe80::1]/' })).toEqual(['fe80::1 is a link-local/metadata address; set scope.allowLinkLocal to scan it']);
    expect(targetProblems({ url: 'http://metadata.google.internal/' })).toEqual(['metadata.google.internal is a link-local/metadata address; set scope.allowLinkLocal to scan it']);
    expect(targetProblems({ url: 'http://169.254.169.254/', scope: { hosts: ['169.254.169.254'], allowLinkLocal: true } })).toEqual([]);
    expect(isLinkLocalAddress('169.254.0.1')).toBe(true);
    expect(isLinkLocalAddress('10.0.0.1')).toBe(false);
  });
});

describe('metadata addresses in every spelling', () => {
  const refused = (host: string) => `${host} is a link-local/metadata address; set scope.allowLinkLocal to scan it`;

  it.each([
    ['decimal', 'http://2852039166/'],
    ['hex', 'http://0xa9fea9fe/'],
    ['octal', 'http://0251.0376.0251.0376/'],
    ['short', 'http://169.254.43518/'],
  ])('an IPv4 %s spelling reaches the parser as 169.254.169.254 and is refused', (_form, url) => {
    expect(targetProblems({ url })).toEqual([refused('169.254.169.254')]);
  });

  it.each([
    ['IPv4-mapped', 'http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'],
    ['IPv4-mapped, hex', 'http://[::ffff:a9fe:a9fe]/', '::ffff:a9fe:a9fe'],
    ['IPv4-compatible', 'http://[::169.254.169.254]/', '::a9fe:a9fe'],
    ['NAT64', 'http://[64:ff9b::169.254.169.254]/', '64:ff9b::a9fe:a9fe'],
    ['6to4', 'http://[2002:a9fe:a9fe::1]/', '2002:a9fe:a9fe::1'],
  ])('an IPv6 literal carrying it (%s) is refused', (_form, url, host) => {
    expect(targetProblems({ url })).toEqual([refused(host)]);
  });

  it('the resolver\'s answers are classified the same way', () => {
    for (const address of ['::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', '2002:a9fe:1::', 'FE80::1%eth0']) expect(isLinkLocalAddress(address), address).toBe(true);
    for (const address of ['::1', '::', '::ffff:127.0.0.1', '64:ff9b::a00:1', '2002:a00:1::', '2001:db8::1', 'fc00::1', '127.0.0.1', 'localhost']) expect(isLinkLocalAddress(address), address).toBe(false);
  });

  it('reads what an IPv6 literal carries, and nothing from malformed ones', () => {
    expect(embeddedIpv4('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(embeddedIpv4('64:ff9b::0a01:0203')).toBe('10.1.2.3');
    expect(embeddedIpv4('2002:0a01:0203:1::5')).toBe('10.1.2.3');
    for (const junk of ['::ffff:300.1.1.1', '1:2:3:4:5:6:7:8:9', ':::1', '2002::g', 'example.test']) expect(embeddedIpv4(junk), junk).toBeUndefined();
  });
});

describe('apiSpec URLs', () => {
  const scope = { hosts: ['127.0.0.1'], allowLinkLocal: false };

  it('are held to the target\'s scope and rules; a file path is not a URL', () => {
    expect(targetProblems({ url: 'http://127.0.0.1/', scope, apiSpec: 'http://127.0.0.1/openapi.json' })).toEqual([]);
    expect(targetProblems({ url: 'http://127.0.0.1/', scope, apiSpec: 'specs/shop.yaml' })).toEqual([]);
    expect(targetProblems({ url: 'http://127.0.0.1/', scope, apiSpec: 'http://169.254.169.254/latest/meta-data/' })).toEqual([
      'apiSpec: host 169.254.169.254 is outside scope.hosts (127.0.0.1)',
      `apiSpec: 169.254.169.254 is a link-local/metadata address; set scope.allowLinkLocal to scan it`,
    ]);
    expect(targetProblems({ url: 'http://127.0.0.1/', scope, apiSpec: 'file:///etc/passwd' })).toEqual(['apiSpec: must be http(s)']);
  });

  it('a config whose apiSpec leaves scope is refused with the path', () => {
    expect(() => parseConfig('version: 1\ntargets:\n  - { id: api, url: "http://127.0.0.1/", engine: zap, profile: api, apiSpec: "http://[::ffff:169.254.169.254]/spec", scope: { hosts: [127.0.0.1] } }\napprovals:\n  dast.active-scan: { approvers: { cliUsers: [alice] } }\n'))
      .toThrow('secops.config.yaml is invalid:\n  - targets[0].apiSpec: host ::ffff:a9fe:a9fe is outside scope.hosts (127.0.0.1)\n  - targets[0].apiSpec: ::ffff:a9fe:a9fe is a link-local/metadata address; set scope.allowLinkLocal to scan it');
  });
});

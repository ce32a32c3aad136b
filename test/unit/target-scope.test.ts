import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../domain/config';
import { addressClass } from '../../domain/address-class';
import { refusedClass, resolvedAddressProblems, targetProblems, type ScopedTarget } from '../../domain/target-scope';

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
    for (const address of ['::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', '2002:a9fe:1::', 'FE80::1%eth0']) expect(addressClass(address), address).toBe('link-local');
    for (const address of ['::1', '::', '::ffff:127.0.0.1', '64:ff9b::a00:1', '2002:a00:1::', '2001:db8::1', 'fc00::1', '127.0.0.1', 'localhost']) expect(addressClass(address), address).not.toBe('link-local');
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

describe('loopback, private and unspecified addresses', () => {
  const scoped = (url: string, hosts?: string[], allowLinkLocal = false): ScopedTarget => ({ url, ...(hosts ? { scope: { hosts, allowLinkLocal } } : {}) });

  it.each<[string, ScopedTarget, string[]]>([
    ['loopback listed', scoped('http://127.0.0.1:8088/', ['127.0.0.1']), []],
    ['loopback listed in another spelling', scoped('http://127.1:8088/', ['0x7f000001']), []],
    ['loopback not listed', scoped('http://127.0.0.1:8088/'), ['127.0.0.1 is a loopback address; list 127.0.0.1 in scope.hosts to scan it']],
    ['loopback, short spelling, not listed', scoped('http://127.1/'), ['127.0.0.1 is a loopback address; list 127.0.0.1 in scope.hosts to scan it']],
    ['IPv6 loopback listed', scoped('http://[::1]:8088/', ['::1']), []],
    ['IPv6 loopback listed with brackets', scoped('http://[::1]:8088/', ['[::1]']), []],
    ['IPv4-mapped loopback not listed', scoped('http://[::ffff:127.0.0.1]/'), ['::ffff:7f00:1 is a loopback address; list ::ffff:7f00:1 in scope.hosts to scan it']],
    ['localhost listed', scoped('http://localhost:8088/', ['localhost']), []],
    ['localhost not listed', scoped('http://localhost:8088/'), ['localhost is a loopback address; list localhost in scope.hosts to scan it']],
    ['private listed', scoped('http://10.0.0.5/', ['10.0.0.5']), []],
    ['private not listed', scoped('http://10.0.0.5/'), ['10.0.0.5 is a private address; list 10.0.0.5 in scope.hosts to scan it']],
    ['private, decimal spelling', scoped('http://167772165/'), ['10.0.0.5 is a private address; list 10.0.0.5 in scope.hosts to scan it']],
    ['CGNAT not listed', scoped('http://100.64.1.1/'), ['100.64.1.1 is a private address; list 100.64.1.1 in scope.hosts to scan it']],
    ['unique local not listed', scoped('http://[fd12::1]/'), ['fd12::1 is a private address; list fd12::1 in scope.hosts to scan it']],
    ['unspecified, even listed', scoped('http://0.0.0.0:8088/', ['0.0.0.0']), ['0.0.0.0 is an unspecified address; it means "this host" and is never scanned']],
    ['unspecified, spelled 0', scoped('http://0:8088/', ['0.0.0.0']), ['0.0.0.0 is an unspecified address; it means "this host" and is never scanned']],
    ['IPv6 unspecified, even listed', scoped('http://[::]/', ['::']), [':: is an unspecified address; it means "this host" and is never scanned']],
    ['public needs no listing', scoped('http://93.184.216.34/'), []],
    ['a name is left to the resolver', scoped('https://shop.example.test/'), []],
  ])('%s', (_case, target, problems) => {
    expect(targetProblems(target)).toEqual(problems);
  });

  it('a config with an unlisted loopback target is refused with the path', () => {
    expect(() => parseConfig('version: 1\ntargets:\n  - { id: shop, url: "http://127.0.0.1:9001/" }\n'))
      .toThrow('secops.config.yaml is invalid:\n  - targets[0].url: 127.0.0.1 is a loopback address; list 127.0.0.1 in scope.hosts to scan it');
  });

  it('the demo config (secops.config.yaml) still passes', async () => {
    const { readFile } = await import('node:fs/promises');
    expect(parseConfig(await readFile('secops.config.yaml', 'utf8')).targets.map((t) => t.url)).toEqual(['http://127.0.0.1:8088/']);
  });
});

describe('resolved addresses', () => {
  const shop: ScopedTarget = { url: 'https://shop.example.test/', scope: { hosts: ['shop.example.test'], allowLinkLocal: false } };

  it.each<[string, ScopedTarget, string[], string[]]>([
    ['public answers', shop, ['93.184.216.34', '2001:db8::1'], []],
    ['private answer of a listed name', shop, ['10.0.0.5'], []],
    ['private answer of an unlisted name', { url: 'https://shop.example.test/' }, ['10.0.0.5'], ['shop.example.test resolves to private address 10.0.0.5; list shop.example.test in scope.hosts to scan it']],
    ['loopback answer of a listed name (rebinding)', shop, ['127.0.0.1'], ['shop.example.test resolves to loopback address 127.0.0.1; list 127.0.0.1 in scope.hosts to scan it']],
    ['loopback answer, the address listed', { ...shop, scope: { hosts: ['shop.example.test', '127.0.0.1'], allowLinkLocal: false } }, ['127.0.0.1'], []],
    ['localhost resolving to loopback', { url: 'http://localhost/', scope: { hosts: ['localhost'], allowLinkLocal: false } }, ['127.0.0.1', '::1'], []],
    ['metadata answer', shop, ['169.254.169.254'], ['shop.example.test resolves to link-local/metadata address 169.254.169.254; set scope.allowLinkLocal to scan it']],
    ['metadata answer, IPv4-mapped', shop, ['::ffff:169.254.169.254'], ['shop.example.test resolves to link-local/metadata address ::ffff:169.254.169.254; set scope.allowLinkLocal to scan it']],
    ['metadata answer, allowed', { ...shop, scope: { hosts: ['shop.example.test'], allowLinkLocal: true } }, ['169.254.169.254'], []],
    ['unspecified answer', shop, ['0.0.0.0'], ['shop.example.test resolves to unspecified address 0.0.0.0; it means "this host" and is never scanned']],
    ['one bad answer among good ones', shop, ['93.184.216.34', '127.0.0.1'], ['shop.example.test resolves to loopback address 127.0.0.1; list 127.0.0.1 in scope.hosts to scan it']],
  ])('%s', (_case, target, addresses, problems) => {
    expect(resolvedAddressProblems(target, new URL(target.url).hostname, addresses)).toEqual(problems);
  });

  it('the config check and the resolver check give the same verdict for the same address', () => {
    for (const address of ['127.0.0.1', '10.0.0.5', '169.254.169.254', '0.0.0.0', '93.184.216.34', '::ffff:a9fe:a9fe', 'fd12::1']) {
      const target: ScopedTarget = { url: `http://${address.includes(':') ? `[${address}]` : address}/` };
      expect(refusedClass(target, address, address), address).toBe(refusedClass(target, 'name.example.test', address));
    }
  });
});

import { describe, expect, it } from 'vitest';
import { addressClass, canonicalHost, embeddedIpv4, isIpLiteral, parseIpv4, type AddressClass } from '../../domain/address-class';
import { hostOf } from '../../domain/target-scope';

/** Every IPv4 spelling the resolver (inet_aton) and the URL parser accept, and what it is. */
const IPV4_FORMS: [form: string, spelling: string, dotted: string, kind: AddressClass][] = [
  ['dotted', '169.254.169.254', '169.254.169.254', 'link-local'],
  ['decimal', '2852039166', '169.254.169.254', 'link-local'],
  ['hex', '0xa9fea9fe', '169.254.169.254', 'link-local'],
  ['hex, upper case', '0XA9FEA9FE', '169.254.169.254', 'link-local'],
  ['octal', '0251.0376.0251.0376', '169.254.169.254', 'link-local'],
  ['mixed parts', '0xa9.254.0251.254', '169.254.169.254', 'link-local'],
  ['three parts', '169.254.43518', '169.254.169.254', 'link-local'],
  ['two parts', '169.16689662', '169.254.169.254', 'link-local'],
  ['trailing dot', '169.254.169.254.', '169.254.169.254', 'link-local'],
  ['short loopback', '127.1', '127.0.0.1', 'loopback'],
  ['hex loopback', '0x7f.1', '127.0.0.1', 'loopback'],
  ['decimal loopback', '2130706433', '127.0.0.1', 'loopback'],
  ['octal loopback', '0177.0.0.01', '127.0.0.1', 'loopback'],
  ['loopback /8', '127.255.0.9', '127.255.0.9', 'loopback'],
  ['zero', '0', '0.0.0.0', 'unspecified'],
  ['empty hex', '0x', '0.0.0.0', 'unspecified'],
  ['this network', '0.1.2.3', '0.1.2.3', 'unspecified'],
  ['RFC 1918 10/8', '10.0.0.1', '10.0.0.1', 'private'],
  ['RFC 1918 10/8, decimal', '167772161', '10.0.0.1', 'private'],
  ['RFC 1918 172.16/12', '172.31.255.255', '172.31.255.255', 'private'],
  ['just outside 172.16/12', '172.32.0.1', '172.32.0.1', 'public'],
  ['RFC 1918 192.168/16, octal', '0300.0250.1.1', '192.168.1.1', 'private'],
  ['CGNAT 100.64/10', '100.64.0.1', '100.64.0.1', 'private'],
  ['just outside CGNAT', '100.128.0.1', '100.128.0.1', 'public'],
  ['Alibaba metadata', '100.100.100.200', '100.100.100.200', 'link-local'],
  ['Oracle metadata', '192.0.0.192', '192.0.0.192', 'link-local'],
  ['public', '93.184.216.34', '93.184.216.34', 'public'],
  ['public, one number', '1572395042', '93.184.216.34', 'public'],
];

const IPV6_FORMS: [form: string, spelling: string, canonical: string, kind: AddressClass][] = [
  ['unspecified', '::', '::', 'unspecified'],
  ['unspecified, long', '0:0:0:0:0:0:0:0', '::', 'unspecified'],
  ['loopback', '::1', '::1', 'loopback'],
  ['loopback, long', '0:0:0:0:0:0:0:1', '::1', 'loopback'],
  ['link-local', 'fe80::1', 'fe80::1', 'link-local'],
  ['link-local, zone', 'FE80::1%eth0', 'fe80::1', 'link-local'],
  ['link-local, top of fe80::/10', 'febf::1', 'febf::1', 'link-local'],
  ['AWS metadata', 'fd00:ec2::254', 'fd00:ec2::254', 'link-local'],
  ['AWS metadata, long', 'fd00:0ec2:0:0:0:0:0:0254', 'fd00:ec2::254', 'link-local'],
  ['unique local', 'fd12:3456::1', 'fd12:3456::1', 'private'],
  ['unique local fc00::/7', 'fc00::1', 'fc00::1', 'private'],
  ['site-local', 'fec0::1', 'fec0::1', 'private'],
  ['IPv4-mapped metadata', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', 'link-local'],
  ['IPv4-mapped metadata, hex', '::ffff:a9fe:a9fe', '::ffff:a9fe:a9fe', 'link-local'],
  ['IPv4-mapped loopback', '::ffff:127.0.0.1', '::ffff:7f00:1', 'loopback'],
  ['IPv4-mapped private', '::ffff:10.0.0.1', '::ffff:a00:1', 'private'],
  ['IPv4-mapped unspecified', '::ffff:0.0.0.0', '::ffff:0:0', 'unspecified'],
  ['IPv4-compatible metadata', '::169.254.169.254', '::a9fe:a9fe', 'link-local'],
  ['IPv4-compatible loopback', '::127.0.0.1', '::7f00:1', 'loopback'],
  ['NAT64 metadata', '64:ff9b::169.254.169.254', '64:ff9b::a9fe:a9fe', 'link-local'],
  ['NAT64 loopback', '64:ff9b::7f00:1', '64:ff9b::7f00:1', 'loopback'],
  ['NAT64 public', '64:ff9b::5db8:d822', '64:ff9b::5db8:d822', 'public'],
  ['6to4 metadata', '2002:a9fe:a9fe::1', '2002:a9fe:a9fe::1', 'link-local'],
  ['6to4 private', '2002:a00:1::', '2002:a00:1::', 'private'],
  ['6to4 loopback', '2002:7f00:1::', '2002:7f00:1::', 'loopback'],
  ['documentation', '2001:db8::1', '2001:db8::1', 'public'],
  ['bracketed', '[::1]', '::1', 'loopback'],
];

const NAMES: [name: string, kind: AddressClass][] = [
  ['localhost', 'loopback'],
  ['LOCALHOST.', 'loopback'],
  ['app.localhost', 'loopback'],
  ['metadata.google.internal', 'link-local'],
  ['metadata', 'link-local'],
  ['shop.example.test', 'name'],
  ['127.0.0.1.nip.io', 'name'],
  ['169.254.169.254.example', 'name'],
  ['1.2.3.4.5', 'name'],
  ['08.1.1.1', 'name'],
  ['4294967296', 'name'],
  ['256.1.1.1', 'name'],
  ['1.2.3.256', 'name'],
  ['1.2.65536', 'name'],
  ['1..2', 'name'],
];

describe('addressClass', () => {
  it.each(IPV4_FORMS)('IPv4 %s: %s is %s, a %s address', (_form, spelling, dotted, kind) => {
    expect(parseIpv4(spelling)).toBeDefined();
    expect(canonicalHost(spelling)).toBe(dotted);
    expect(addressClass(spelling)).toBe(kind);
    expect(isIpLiteral(spelling)).toBe(true);
  });

  it.each(IPV6_FORMS)('IPv6 %s: %s is %s, a %s address', (_form, spelling, canonical, kind) => {
    expect(canonicalHost(spelling)).toBe(canonical);
    expect(addressClass(spelling)).toBe(kind);
    expect(isIpLiteral(spelling)).toBe(true);
  });

  it.each(NAMES)('%s is a %s', (name, kind) => {
    expect(addressClass(name)).toBe(kind);
    expect(isIpLiteral(name)).toBe(false);
  });
});

describe('the URL parser and the classifier agree', () => {
  // The config and the workflow see hosts through `new URL`, which rewrites IPv4 spellings
  // and IPv6 literals; the resolver and scope lists hand the classifier raw spellings. Both
  // paths must reach the same address and the same class.
  it.each(IPV4_FORMS.filter(([, spelling]) => !spelling.endsWith('.')))('IPv4 %s: new URL gives the dotted form', (_form, spelling, dotted, kind) => {
    const host = hostOf(`http://${spelling}/`);
    expect(host).toBe(dotted);
    expect(addressClass(host)).toBe(kind);
  });

  it('a trailing dot is dropped by the URL parser as by the classifier', () => {
    expect(hostOf('http://169.254.169.254./')).toBe('169.254.169.254');
  });

  it.each(IPV6_FORMS.filter(([, spelling]) => !spelling.includes('%') && !spelling.startsWith('[')))('IPv6 %s: new URL gives the canonical form', (_form, spelling, canonical, kind) => {
    const host = hostOf(`http://[${spelling}]/`);
    expect(host).toBe(canonical);
    expect(addressClass(host)).toBe(kind);
  });

  it.each(['08.1.1.1', '1.2.3.256', '4294967296', '1.2.3.4.5'])('%s, which the classifier takes for a name, is no URL host at all', (spelling) => {
    expect(() => new URL(`http://${spelling}/`)).toThrow();
  });
});

describe('embeddedIpv4', () => {
  it.each([
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['64:ff9b::0a01:0203', '10.1.2.3'],
    ['2002:0a01:0203:1::5', '10.1.2.3'],
    ['::a9fe:a9fe', '169.254.169.254'],
  ])('%s carries %s', (address, carried) => {
    expect(embeddedIpv4(address)).toBe(carried);
  });

  it.each(['::ffff:300.1.1.1', '1:2:3:4:5:6:7:8:9', ':::1', '2002::g', 'example.test', '::', '::1', '::ffff:a1.2.3.4', '2001:db8::1'])('%s carries nothing', (junk) => {
    expect(embeddedIpv4(junk)).toBeUndefined();
  });
});

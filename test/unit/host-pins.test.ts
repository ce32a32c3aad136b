import { describe, expect, it } from 'vitest';
import { createTargetAddressActivities } from '../../activities/scanners/check-target-addresses';
import { checkedHostPins, TargetRefusedError } from '../../activities/scanners/host-pins';
import { HostUnresolvedError, type ResolveHost } from '../../activities/scanners/resolve-host';
import type { ScopedTarget } from '../../domain/target-scope';

/** A resolver answering from a table, recording what it was asked. */
function resolverOf(answers: Record<string, string[]>): { resolve: ResolveHost; asked: string[] } {
  const asked: string[] = [];
  const resolve: ResolveHost = async (host) => {
    asked.push(host);
    const addresses = answers[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses;
  };
  return { resolve, asked };
}

const scope = (...hosts: string[]) => ({ hosts, allowLinkLocal: false });

describe('checkedHostPins (right before the container)', () => {
  it('pins every address of the target\'s name, and of an apiSpec URL on another host', async () => {
    const dns = resolverOf({ 'shop.example.test': ['93.184.216.34', '2001:db8::34'], 'specs.example.test': ['93.184.216.35'] });
    const target: ScopedTarget = { url: 'https://shop.example.test/app/', apiSpec: 'https://specs.example.test/openapi.json', scope: scope('shop.example.test', 'specs.example.test') };
    expect(await checkedHostPins(target, dns.resolve)).toEqual(['shop.example.test:93.184.216.34', 'shop.example.test:2001:db8::34', 'specs.example.test:93.184.216.35']);
    expect(dns.asked).toEqual(['shop.example.test', 'specs.example.test']);
  });

  it('resolves a host once when the apiSpec URL is on the target\'s host', async () => {
    const dns = resolverOf({ 'shop.example.test': ['93.184.216.34'] });
    const target: ScopedTarget = { url: 'https://shop.example.test/', apiSpec: 'https://shop.example.test/openapi.json', scope: scope('shop.example.test') };
    expect(await checkedHostPins(target, dns.resolve)).toEqual(['shop.example.test:93.184.216.34']);
    expect(dns.asked).toEqual(['shop.example.test']);
  });

  it('pins nothing for an IP literal and asks no resolver, but still applies the scope rule', async () => {
    const dns = resolverOf({});
    expect(await checkedHostPins({ url: 'http://127.0.0.1:8088/', scope: scope('127.0.0.1') }, dns.resolve)).toEqual([]);
    await expect(checkedHostPins({ url: 'http://127.0.0.1:8088/' }, dns.resolve)).rejects.toThrow(new TargetRefusedError('127.0.0.1 is a loopback address; list 127.0.0.1 in scope.hosts to scan it'));
    expect(dns.asked).toEqual([]);
  });

  it.each<[string, Record<string, string[]>, string]>([
    ['the target now resolves to the metadata service', { 'shop.example.test': ['169.254.169.254'], 'specs.example.test': ['93.184.216.35'] }, 'shop.example.test resolves to link-local/metadata address 169.254.169.254; set scope.allowLinkLocal to scan it'],
    ['one of its answers is the scanner host\'s loopback', { 'shop.example.test': ['93.184.216.34', '127.0.0.1'], 'specs.example.test': ['93.184.216.35'] }, 'shop.example.test resolves to loopback address 127.0.0.1; list 127.0.0.1 in scope.hosts to scan it'],
    ['the apiSpec host resolves to an IPv4-mapped metadata address', { 'shop.example.test': ['93.184.216.34'], 'specs.example.test': ['::ffff:a9fe:a9fe'] }, 'specs.example.test resolves to link-local/metadata address ::ffff:a9fe:a9fe; set scope.allowLinkLocal to scan it'],
    ['an answer is unspecified', { 'shop.example.test': ['0.0.0.0'], 'specs.example.test': ['93.184.216.35'] }, 'shop.example.test resolves to unspecified address 0.0.0.0; it means "this host" and is never scanned'],
  ])('refuses when %s, naming the host and the address', async (_case, answers, problem) => {
    const target: ScopedTarget = { url: 'https://shop.example.test/', apiSpec: 'https://specs.example.test/openapi.json', scope: scope('shop.example.test', 'specs.example.test') };
    const refused = await checkedHostPins(target, resolverOf(answers).resolve).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TargetRefusedError);
    expect((refused as Error).message).toBe(problem);
  });

  it('says which host does not resolve', async () => {
    await expect(checkedHostPins({ url: 'https://gone.example.test/' }, resolverOf({}).resolve)).rejects.toThrow(new HostUnresolvedError('gone.example.test does not resolve (ENOTFOUND)'));
    await expect(checkedHostPins({ url: 'https://empty.example.test/' }, resolverOf({ 'empty.example.test': [] }).resolve)).rejects.toThrow('empty.example.test does not resolve (no address)');
  });
});

describe('checkTargetAddresses (the workflow\'s early check)', () => {
  const check = (answers: Record<string, string[]>) => createTargetAddressActivities(resolverOf(answers).resolve).checkTargetAddresses;

  it('refuses metadata and unspecified answers whatever the scope lists', async () => {
    const answers = { 'shop.example.test': ['169.254.169.254', '0.0.0.0'] };
    const problems = ['shop.example.test resolves to link-local/metadata address 169.254.169.254; set scope.allowLinkLocal to scan it', 'shop.example.test resolves to unspecified address 0.0.0.0; it means "this host" and is never scanned'];
    expect(await check(answers)({ url: 'https://shop.example.test/', allowLinkLocal: false })).toEqual(problems);
    expect(await check(answers)({ url: 'https://shop.example.test/', allowLinkLocal: false, scopeHosts: ['shop.example.test'] })).toEqual(problems);
  });

  it('judges loopback and private answers by the scope hosts it is given', async () => {
    const answers = { 'shop.example.test': ['10.0.0.5', '127.0.0.1'] };
    expect(await check(answers)({ url: 'https://shop.example.test/', allowLinkLocal: false, scopeHosts: [] })).toEqual([
      'shop.example.test resolves to private address 10.0.0.5; list shop.example.test in scope.hosts to scan it',
      'shop.example.test resolves to loopback address 127.0.0.1; list 127.0.0.1 in scope.hosts to scan it',
    ]);
    expect(await check(answers)({ url: 'https://shop.example.test/', allowLinkLocal: false, scopeHosts: ['shop.example.test', '127.0.0.1'] })).toEqual([]);
  });

  it('leaves loopback and private answers to the scanner\'s own check when not given the scope hosts', async () => {
    expect(await check({ 'shop.example.test': ['10.0.0.5', '127.0.0.1'] })({ url: 'https://shop.example.test/', allowLinkLocal: false })).toEqual([]);
  });

  it('reports a name that does not resolve as a problem', async () => {
    expect(await check({})({ url: 'https://gone.example.test/', allowLinkLocal: false })).toEqual(['gone.example.test does not resolve (ENOTFOUND)']);
  });
});

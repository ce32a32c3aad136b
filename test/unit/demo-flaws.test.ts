import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readDocument } from '../../demo/fake-files';
import { runFakeShell } from '../../demo/fake-shell';

describe('demo app: path traversal over a pretend file system', () => {
  it('serves a document by name', () => {
    expect(readDocument('shipping.txt')).toEqual({ path: '/srv/shop/docs/shipping.txt', content: 'Orders ship within two working days.\n' });
  });

  it('lets a name climb out of the documents folder, as the flaw should', () => {
    expect(readDocument('../../../../../../../../etc/passwd')?.content).toContain('root:x:0:0');
    expect(readDocument('/etc/passwd')?.path).toBe('/etc/passwd');
    expect(readDocument('x/../../../../../../etc/services')?.content).toContain('Network services, Internet style');
  });

  it('never reads the machine\'s own files: only the made-up ones exist', () => {
    for (const name of ['/etc/hostname', '/proc/self/environ', '../../../../proc/self/cmdline', '/etc/shadow', `${process.cwd()}/package.json`]) {
      expect(readDocument(name), name).toBeUndefined();
    }
    expect(readDocument('/etc/passwd')?.content).not.toContain(hostname());
  });
});

describe('demo app: command execution in a pretend shell', () => {
  it('answers the intended command', () => {
    expect(runFakeShell('ping -c 1 warehouse.local')).toContain('64 bytes from warehouse.local');
  });

  it('runs what is chained after it, as sh would: env prints what Wapiti\'s exec module looks for', () => {
    for (const line of ['ping -c 1 ;env;', 'ping -c 1 a|env', 'ping -c 1 a && env', 'ping -c 1 &set&', 'ping -c 1 a\nenv']) {
      const output = runFakeShell(line);
      expect(output, line).toContain('PATH=');
      expect(output, line).toContain('PWD=');
    }
    expect(runFakeShell('ping -c 1 a; id')).toContain('uid=1000(shop)');
  });

  it('knows only its table: nothing reaches a real shell, and sleep returns at once', () => {
    expect(runFakeShell('ping -c 1 a; uname -a; cat /etc/passwd')).toBe('PING a: 56 data bytes\n64 bytes from a: icmp_seq=0 ttl=64 time=0.051 ms\n1 packets transmitted, 1 received, 0% packet loss\nsh: 1: uname: not found\nsh: 1: cat: not found\n');
    expect(runFakeShell('ping -c 1 $(whoami)')).toContain('Name or service not known');
    expect(runFakeShell('a;sleep 60;')).toBe('sh: 1: a: not found\n');
    expect(runFakeShell('env')).not.toContain(process.env.HOME ?? '/root');
  });
});

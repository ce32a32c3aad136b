import { describe, expect, it } from 'vitest';
import { isLinkLocalAddress, targetProblems } from '../../domain/target-scope';

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

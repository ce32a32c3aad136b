import { describe, expect, it } from 'vitest';
import { TEXT_CAPS, TRUNCATION_MARK, boundedText, storableFinding } from '../../domain/bounded-text';
import type { Finding } from '../../domain/finding';

describe('bounded text', () => {
  it('removes NUL, C0, DEL and C1 controls but keeps tab, line feed and carriage return', () => {
    expect(boundedText('a\u0000b\u0001c\u001bd\u007fe\u0085f\u009fg', 100)).toBe('abcdefg');
    expect(boundedText('HTTP/1.1 200 OK\r\nX:\t1\n', 100)).toBe('HTTP/1.1 200 OK\r\nX:\t1\n');
  });

  it('replaces lone surrogates with U+FFFD and keeps pairs', () => {
    expect(boundedText('a\ud800b\udc00c', 100)).toBe('a\uFFFDb\uFFFDc');
    expect(boundedText('pair 😀 ok', 100)).toBe('pair 😀 ok');
    expect(boundedText('\udc00\ud800', 100)).toBe('\uFFFD\uFFFD');
  });

  it('cuts long text to the cap and says how much was cut', () => {
    expect(boundedText('abcdefghij', 4)).toBe(`abcd${TRUNCATION_MARK(6)}`);
    expect(TRUNCATION_MARK(6)).toBe('… [truncated: 6 more characters]');
    // Control characters go first: only what is left counts against the cap.
    expect(boundedText('\u0000'.repeat(50) + 'abc', 3)).toBe('abc');
  });

  it('never cuts a surrogate pair in half', () => {
    const cut = boundedText('abc😀def', 4);
    expect(cut).toBe(`abc${TRUNCATION_MARK(5)}`);
    expect(cut).not.toMatch(/[\uD800-\uDFFF]/);
  });

  it('returns clean text within the cap as it is', () => {
    const text = 'x'.repeat(TEXT_CAPS.evidence);
    expect(boundedText(text, TEXT_CAPS.evidence)).toBe(text);
  });

  it('bounds every text of a finding and its instances, keeping absent fields absent', () => {
    const dirty = (text: string) => `${text}\u0000`;
    const finding: Finding = {
      fingerprint: 'f'.repeat(64), engine: 'zap', ruleId: dirty('10020'), title: dirty('Title'), severity: 'low', confidence: 'low',
      url: dirty('http://a/'), method: dirty('GET'), parameter: dirty('q'), description: dirty('d'), evidence: 'E'.repeat(TEXT_CAPS.evidence + 1),
      solution: dirty('s'), references: [dirty('https://r/')],
      instances: [{ url: dirty('http://a/?q=1'), method: 'GET', evidence: dirty('e'), attack: 'A'.repeat(TEXT_CAPS.evidence + 2) }, { url: 'http://a/', method: 'GET' }],
    };
    expect(storableFinding(finding)).toEqual({
      fingerprint: 'f'.repeat(64), engine: 'zap', ruleId: '10020', title: 'Title', severity: 'low', confidence: 'low',
      url: 'http://a/', method: 'GET', parameter: 'q', description: 'd', evidence: 'E'.repeat(TEXT_CAPS.evidence) + TRUNCATION_MARK(1),
      solution: 's', references: ['https://r/'],
      instances: [{ url: 'http://a/?q=1', method: 'GET', evidence: 'e', attack: 'A'.repeat(TEXT_CAPS.evidence) + TRUNCATION_MARK(2) }, { url: 'http://a/', method: 'GET' }],
    });
    expect(Object.keys(storableFinding(finding).instances[1]!)).toEqual(['url', 'method']);
  });
});

import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../domain/redact-url';

describe('redactUrl: a URL as it may be printed', () => {
  it.each([
    ['postgres://app:s3cr3t@db.example.test:5432/shop', 'postgres://app@db.example.test:5432/shop'],
    ['postgres://app@db.example.test/shop?password=s3cr3t&sslmode=require', 'postgres://app@db.example.test/shop?password=***&sslmode=require'],
    // sslkey names a file, not a secret: it stays readable.
    ['postgresql://db.example.test/shop?user=app&sslpassword=s3cr3t&sslkey=%2Fk', 'postgresql://db.example.test/shop?user=app&sslpassword=***&sslkey=%2Fk'],
    ['https://root:s3cr3t@vault.example.test:8200/', 'https://root@vault.example.test:8200/'],
    ['https://hooks.example.test/x?token=s3cr3t&api_key=s3cr3t&Signature=s3cr3t&page=2', 'https://hooks.example.test/x?token=***&api_key=***&Signature=***&page=2'],
  ])('%s', (url, printed) => {
    expect(redactUrl(url)).toBe(printed);
    expect(redactUrl(url)).not.toContain('s3cr3t');
  });

  it('does not quote what it cannot parse', () => {
    expect(redactUrl('postgres://app:s3cr3t@[bad')).toBe('<unparseable URL>');
  });
});

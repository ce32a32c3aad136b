import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvironment } from '../../domain/environment';
import { connectErrorReason, temporalConnectionOptions } from '../../client/temporal-connection';

describe('Temporal connection options', () => {
  it('is plain for a dev server', () => {
    expect(temporalConnectionOptions(parseEnvironment({}))).toEqual({ address: 'localhost:7233', apiKey: undefined, tls: undefined });
  });

  it('reads the mTLS pair and CA from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secops-tls-'));
    for (const name of ['cert.pem', 'key.pem', 'ca.pem']) writeFileSync(join(dir, name), `contents of ${name}`);
    const options = temporalConnectionOptions(parseEnvironment({
      TEMPORAL_ADDRESS: 'temporal.example.test:7233',
      TEMPORAL_TLS_CERT: join(dir, 'cert.pem'),
      TEMPORAL_TLS_KEY: join(dir, 'key.pem'),
      TEMPORAL_TLS_CA: join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal',
    }));
    expect(options.tls?.clientCertPair?.crt.toString()).toBe('contents of cert.pem');
    expect(options.tls?.clientCertPair?.key.toString()).toBe('contents of key.pem');
    expect(options.tls?.serverRootCACertificate?.toString()).toBe('contents of ca.pem');
    expect(options.tls?.serverNameOverride).toBe('temporal');
  });

  it('turns TLS on for an API key (Temporal Cloud)', () => {
    const options = temporalConnectionOptions(parseEnvironment({ TEMPORAL_API_KEY: 'k' }));
    expect(options.apiKey).toBe('k');
    expect(options.tls).toEqual({ serverRootCACertificate: undefined, serverNameOverride: undefined });
  });

  it('reduces transport errors to their gist', () => {
    expect(connectErrorReason(new Error('tonic::transport::Error(Transport, ConnectError("tcp connect error", 127.0.0.1:1, Os { code: 111, kind: ConnectionRefused, message: "Connection refused" }))'))).toBe('Connection refused');
    expect(connectErrorReason(new Error('Failed to connect before the deadline'))).toBe('no answer before the connect deadline');
    expect(connectErrorReason('plain\nsecond line')).toBe('plain');
  });
});

import { describe, expect, it } from 'vitest';
import { maxReportBytes, parseEnvironment, slackConfigured } from '../../domain/environment';
import { ValidationError } from '../../domain/validation-error';

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected the environment to be rejected');
}

describe('environment', () => {
  it('defaults to a local dev server and no Slack', () => {
    const env = parseEnvironment({ PATH: '/usr/bin', TEMPORAL_ADDRESS: '' });
    expect(env).toMatchObject({ TEMPORAL_ADDRESS: 'localhost:7233', TEMPORAL_NAMESPACE: 'default', SLACK_SOCKET_MODE: false, SLACK_PORT: 3000 });
    expect(slackConfigured(env)).toBe(false);
  });

  it('rejects half-configured TLS and Slack, and a malformed address', () => {
    expect(problemsOf({ TEMPORAL_TLS_CERT: '/c.pem', TEMPORAL_ADDRESS: 'http://x:7233' })).toEqual([
      'TEMPORAL_ADDRESS: must be host:port',
      'TEMPORAL_TLS_KEY: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together',
    ]);
    expect(problemsOf({ SLACK_BOT_TOKEN: 'x', SLACK_SOCKET_MODE: 'true' })).toEqual([
      'SLACK_APP_TOKEN: required when SLACK_SOCKET_MODE=true',
      'SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN (Bolt verifies every request with it)',
    ]);
    expect(problemsOf({ DATABASE_URL: 'mysql://db/x' })).toEqual(['DATABASE_URL: must be a postgres:// URL']);
  });

  it('takes SECOPS_LOG_LEVEL in any case, and names the levels when it is none of them', () => {
    expect(parseEnvironment({}).SECOPS_LOG_LEVEL).toBe('INFO');
    expect(parseEnvironment({ SECOPS_LOG_LEVEL: 'debug' }).SECOPS_LOG_LEVEL).toBe('DEBUG');
    expect(parseEnvironment({ SECOPS_LOG_LEVEL: 'Warn' }).SECOPS_LOG_LEVEL).toBe('WARN');
    expect(problemsOf({ SECOPS_LOG_LEVEL: 'loud' })).toEqual(['SECOPS_LOG_LEVEL: must be TRACE, DEBUG, INFO, WARN or ERROR (any case)']);
  });

  it('caps scanner reports at SECOPS_MAX_REPORT_MB: 256 MiB by default, whole MiB from 1 to 500', () => {
    expect(parseEnvironment({}).SECOPS_MAX_REPORT_MB).toBe(256);
    expect(parseEnvironment({ SECOPS_MAX_REPORT_MB: '64' }).SECOPS_MAX_REPORT_MB).toBe(64);
    expect(maxReportBytes({})).toBe(256 * 1024 * 1024);
    expect(maxReportBytes({ SECOPS_MAX_REPORT_MB: '1', SECOPS_LOG_LEVEL: 'loud' })).toBe(1024 * 1024);
    expect(problemsOf({ SECOPS_MAX_REPORT_MB: '0' })).toEqual(['SECOPS_MAX_REPORT_MB: must be at least 1 (MiB)']);
    expect(problemsOf({ SECOPS_MAX_REPORT_MB: '501' })).toEqual(['SECOPS_MAX_REPORT_MB: must be at most 500 (MiB): the findings of a report are still gathered in memory before they are stored']);
    expect(problemsOf({ SECOPS_MAX_REPORT_MB: '1.5' })).toEqual(['SECOPS_MAX_REPORT_MB: must be a whole number of MiB']);
    expect(problemsOf({ SECOPS_MAX_REPORT_MB: 'lots' })).toEqual(['SECOPS_MAX_REPORT_MB: must be a whole number of MiB']);
    expect(() => maxReportBytes({ SECOPS_MAX_REPORT_MB: 'lots' })).toThrow('environment is invalid:\n  - SECOPS_MAX_REPORT_MB: must be a whole number of MiB');
  });

  it('never echoes a secret value in its errors', () => {
    const secret = 'super-secret-signing-value';
    try {
      parseEnvironment({ SLACK_SIGNING_SECRET: secret, SLACK_PORT: 'not-a-port' });
      throw new Error('expected rejection');
    } catch (error) {
      expect((error as Error).message).toMatch(/SLACK_PORT/);
      expect((error as Error).message).not.toContain(secret);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { summarize } from '../../domain/preflight';
import { formatReport } from '../../cli/doctor-report';

describe('preflight report', () => {
  it('is as bad as its worst check', () => {
    expect(summarize([]).status).toBe('ok');
    expect(summarize([{ check: 'a', status: 'ok', detail: '' }, { check: 'b', status: 'warn', detail: '' }]).status).toBe('warn');
    expect(summarize([{ check: 'a', status: 'failed', detail: '' }, { check: 'b', status: 'warn', detail: '' }]).status).toBe('failed');
  });

  it('prints one aligned row per check', () => {
    const text = formatReport(summarize([
      { check: 'temporal', status: 'ok', detail: 'server 1.32.0' },
      { check: 'docker', status: 'failed', detail: 'unreachable' },
    ]));
    expect(text.split('\n')).toEqual([
      'check     status  detail',
      '--------  ------  -------------',
      'temporal  ok      server 1.32.0',
      'docker    FAILED  unreachable',
    ]);
  });
});

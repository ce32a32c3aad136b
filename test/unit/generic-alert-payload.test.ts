import { describe, expect, it } from 'vitest';
import { alertSchema } from '../../domain/alert';
import { alertFromGenericPayload, parseGenericAlertPayload } from '../../domain/generic-alert-payload';
import { ValidationError } from '../../domain/validation-error';

const EVENT = {
  title: 'Login failures above threshold on sso',
  dedupKey: 'sso-login-failures',
  status: 'firing',
  severity: 'high',
  labels: { service: 'sso', env: 'prod' },
  annotations: { runbook: 'https://wiki.example/runbooks/sso' },
  startsAt: '2024-05-01T12:00:00Z',
};

function problemsOf(json: unknown): string[] {
  try {
    parseGenericAlertPayload(json);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected the event to be refused');
}

describe('generic signed alert payload', () => {
  it('becomes one alert, its severity carried as the severity label', () => {
    const alert = alertFromGenericPayload(parseGenericAlertPayload(EVENT));
    expect(alert).toStrictEqual({
      source: 'webhook',
      title: 'Login failures above threshold on sso',
      dedupKey: 'sso-login-failures',
      status: 'firing',
      labels: { service: 'sso', env: 'prod', severity: 'high' },
      annotations: { runbook: 'https://wiki.example/runbooks/sso' },
      startsAt: '2024-05-01T12:00:00.000Z',
    });
    expect(alertSchema.parse(alert)).toEqual(alert);
  });

  it('needs only title, dedupKey and status', () => {
    expect(alertFromGenericPayload(parseGenericAlertPayload({ title: 'x', dedupKey: 'k', status: 'resolved' }))).toStrictEqual({
      source: 'webhook', title: 'x', dedupKey: 'k', status: 'resolved', labels: {}, annotations: {},
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown field (the format is ours: a typo)', { ...EVENT, severty: 'high' }, 'Unrecognized key: "severty"'],
    ['no dedupKey', { ...EVENT, dedupKey: undefined }, 'dedupKey:'],
    ['a blank title', { ...EVENT, title: ' \n ' }, 'title: must not be blank'],
    ['a title over the limit', { ...EVENT, title: 't'.repeat(2049) }, 'title: must be at most 2048 characters'],
    ['an unknown severity', { ...EVENT, severity: 'urgent' }, 'severity: must be one of info, low, medium, high, critical'],
    ['a severity the labels contradict', { ...EVENT, labels: { severity: 'low' } }, 'severity: says "high" but labels.severity says "low"'],
    ['a prototype-named annotation', { ...EVENT, annotations: { prototype: 'x' } }, 'annotations.prototype: "prototype" is not allowed as a key'],
    ['a status of "acknowledged"', { ...EVENT, status: 'acknowledged' }, 'status: must be "firing" or "resolved"'],
  ])('refuses %s', (_name, json, problem) => {
    expect(problemsOf(json).join('\n')).toContain(problem);
  });
});

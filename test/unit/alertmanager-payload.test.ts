import { describe, expect, it } from 'vitest';
import { ALERT_LIMITS, alertSchema } from '../../domain/alert';
import { alertsFromAlertmanager, parseAlertmanagerPayload } from '../../domain/alertmanager-payload';
import { ValidationError } from '../../domain/validation-error';
import { ALERTMANAGER_FIRING_ALERT, ALERTMANAGER_GROUP_KEY as GROUP_KEY, ALERTMANAGER_WEBHOOK as FIXTURE, alertmanagerJson, type AlertmanagerJson } from '../support/alertmanager-fixture';

function problemsOf(json: unknown): string[] {
  try {
    parseAlertmanagerPayload(json);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected the payload to be refused');
}

describe('Alertmanager webhook payload version 4', () => {
  it('becomes one alert per alert of the group, each deduplicated by the groupKey', () => {
    expect(alertsFromAlertmanager(parseAlertmanagerPayload(alertmanagerJson()))).toEqual([
      ALERTMANAGER_FIRING_ALERT,
      {
        source: 'alertmanager',
        dedupKey: GROUP_KEY,
        status: 'resolved',
        title: 'High error rate on checkout (api-2:9100)',
        labels: { alertname: 'HighErrorRate', instance: 'api-2:9100', job: 'api', service: 'checkout', severity: 'critical' },
        annotations: { summary: 'High error rate on checkout (api-2:9100)' },
        startsAt: '2024-05-01T09:40:00.000Z',
        endsAt: '2024-05-01T12:05:30.500Z',
        fingerprint: '0b8e44d1c9f2a761',
      },
    ]);
  });

  it("reads Go's zero time as no endsAt, and an empty generatorURL as none", () => {
    const [firing, resolved] = alertsFromAlertmanager(parseAlertmanagerPayload(alertmanagerJson()));
    expect(firing).not.toHaveProperty('endsAt');
    expect(resolved).not.toHaveProperty('generatorUrl');
  });

  it('tolerates fields it does not know, at the top and in alerts', () => {
    const json = alertmanagerJson((p) => {
      p.futureField = { nested: [1, 2, 3] };
      p.alerts[0]!.futureAlertField = 'x';
    });
    expect(alertsFromAlertmanager(parseAlertmanagerPayload(json))).toHaveLength(2);
  });

  it('makes alerts that the Alert schema takes as they are', () => {
    for (const alert of alertsFromAlertmanager(parseAlertmanagerPayload(alertmanagerJson()))) expect(alertSchema.parse(alert)).toEqual(alert);
  });

  it('titles an alert by its summary, else its alertname, on one line and cut to the title limit', () => {
    const json = alertmanagerJson((p) => {
      p.alerts[0]!.annotations = { summary: `Disk\nfull ${'x'.repeat(5000)}` };
      delete p.alerts[1]!.annotations.summary;
    });
    const [long, unnamed] = alertsFromAlertmanager(parseAlertmanagerPayload(json));
    expect(long!.title.startsWith('Disk full xxx')).toBe(true);
    expect(long!.title.length).toBeLessThanOrEqual(ALERT_LIMITS.title);
    expect(long!.title).toMatch(/… \[truncated: \d+ more characters\]$/);
    expect(unnamed!.title).toBe('HighErrorRate');
  });

  it('cleans control characters out of label and annotation values, as bounded-text does', () => {
    const json = alertmanagerJson((p) => {
      p.alerts[0]!.annotations.description = 'line one\nline\u0000 two\u001b[31m\ud800';
    });
    const [alert] = alertsFromAlertmanager(parseAlertmanagerPayload(json));
    expect(alert!.annotations.description).toBe('line one\nline two[31m\uFFFD');
  });

  it.each<[string, (json: AlertmanagerJson) => void, string]>([
    ['version "3"', (json) => { json.version = '3'; }, 'version: must be "4" (this endpoint reads Alertmanager webhook payload version 4)'],
    ['version 4 as a number', (json) => { json.version = 4; }, 'version: must be "4"'],
    ['no groupKey', (json) => { delete json.groupKey; }, 'groupKey:'],
    ['an empty groupKey', (json) => { json.groupKey = ''; }, 'groupKey: must not be empty'],
    ['a groupKey with a control character', (json) => { json.groupKey = 'a\u0007b'; }, 'groupKey: must not contain control characters'],
    ['a groupKey too long', (json) => { json.groupKey = 'k'.repeat(ALERT_LIMITS.dedupKey + 1); }, `groupKey: must be at most ${ALERT_LIMITS.dedupKey} characters`],
    ['an alert status other than firing or resolved', (json) => { json.alerts[1]!.status = 'pending'; }, 'alerts[1].status: must be "firing" or "resolved"'],
    ['no alerts', (json) => { json.alerts = []; }, 'alerts: must hold at least one alert'],
    ['too many alerts', (json) => { json.alerts = Array(ALERT_LIMITS.alertsPerPost + 1).fill(json.alerts[0]); }, `alerts: must hold at most ${ALERT_LIMITS.alertsPerPost} alerts`],
    ['too many labels', (json) => { json.alerts[0]!.labels = Object.fromEntries(Array.from({ length: ALERT_LIMITS.entries + 1 }, (_, i) => [`l${i}`, 'v'])); }, `alerts[0].labels: must have at most ${ALERT_LIMITS.entries} entries`],
    ['a label name too long', (json) => { json.alerts[0]!.labels['n'.repeat(ALERT_LIMITS.keyLength + 1)] = 'v'; }, `key must be at most ${ALERT_LIMITS.keyLength} characters`],
    ['a label name with a line break', (json) => { json.commonLabels['a\nb'] = 'v'; }, 'commonLabels.a\nb: key must not contain control characters'],
    ['a label value too long', (json) => { json.alerts[0]!.labels.job = 'j'.repeat(ALERT_LIMITS.labelValue + 1); }, `alerts[0].labels.job: must be at most ${ALERT_LIMITS.labelValue} characters`],
    ['a label value that is a number', (json) => { json.alerts[0]!.labels.port = 9100; }, 'alerts[0].labels.port:'],
    ['a "constructor" label', (json) => { Object.assign(json.alerts[0]!.labels, { constructor: 'x' }); }, 'alerts[0].labels.constructor: "constructor" is not allowed as a key'],
    ['a startsAt that is not RFC 3339', (json) => { json.alerts[0]!.startsAt = '2024-05-01 12:00:00'; }, 'alerts[0].startsAt: must be an RFC 3339 date-time'],
    ['a javascript: generatorURL', (json) => { json.alerts[0]!.generatorURL = 'javascript:alert(1)'; }, 'alerts[0].generatorURL: must be an http(s) URL'],
    ['a negative truncatedAlerts', (json) => { json.truncatedAlerts = -1; }, 'truncatedAlerts:'],
  ])('refuses %s, naming the field', (_name, change, problem) => {
    expect(problemsOf(alertmanagerJson(change)).join('\n')).toContain(problem);
  });

  it('refuses a __proto__ key anywhere, which zod alone would drop without a word', () => {
    const json = JSON.parse(FIXTURE.replace('"job": "api",', '"__proto__": { "polluted": "yes" }, "job": "api",'));
    expect(problemsOf(json)).toEqual(['alerts[0].labels.__proto__: "__proto__" is not allowed as a key (it names an object prototype)']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses what is not an object at all', () => {
    for (const json of [null, [], 'alert', 4]) expect(problemsOf(json).length).toBeGreaterThan(0);
  });
});

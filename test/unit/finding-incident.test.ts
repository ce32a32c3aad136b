import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../domain/config';
import { dastScanInput } from '../../domain/dast';
import { MAX_INCIDENTS_PER_SCAN, incidentSeverityOf, incidentWorthyFindings, retestScanOf } from '../../domain/finding-incident';
import type { Severity } from '../../domain/finding';
import type { ReportedFinding } from '../../domain/scan-report';
import { ValidationError } from '../../domain/validation-error';
import { testCliUser } from '../support/test-ballots';

const finding = (fingerprint: string, severity: Severity, extra: Partial<ReportedFinding> = {}): ReportedFinding => ({
  fingerprint, engine: 'wapiti', ruleId: 'rule', title: `finding ${fingerprint}`, severity, confidence: 'high', url: `http://127.0.0.1/${fingerprint}`, method: 'GET',
  references: [], instances: [], status: 'new', firstSeen: '2026-11-30T00:00:00Z', action: 'FAIL', ...extra,
});

describe('which new findings open incidents', () => {
  it('takes new findings at or above the threshold, most severe first', () => {
    const report = { findings: [finding('a', 'medium'), finding('b', 'high'), finding('c', 'critical'), finding('d', 'low'), finding('e', 'info')] };
    expect(incidentWorthyFindings(report, 'high').findings.map((f) => f.fingerprint)).toEqual(['c', 'b']);
    expect(incidentWorthyFindings(report, 'low').findings.map((f) => f.fingerprint)).toEqual(['c', 'b', 'a', 'd']);
    expect(incidentWorthyFindings(report, 'critical')).toEqual({ findings: [{ fingerprint: 'c', title: 'finding c', severity: 'critical', url: 'http://127.0.0.1/c' }], more: 0 });
  });

  it('leaves out what is not new and what someone already decided about', () => {
    const report = {
      findings: [
        finding('persisting', 'critical', { status: 'persisting' }),
        finding('accepted', 'critical', { status: 'suppressed', suppression: { kind: 'accepted-risk', reason: 'waf', decidedBy: 'cli:olivia' } }),
        finding('ignored', 'critical', { action: 'IGNORE' }),
        finding('fresh', 'high'),
      ],
    };
    expect(incidentWorthyFindings(report, 'high').findings.map((f) => f.fingerprint)).toEqual(['fresh']);
  });

  it(`opens at most ${MAX_INCIDENTS_PER_SCAN} per scan and counts the rest`, () => {
    const report = { findings: Array.from({ length: 8 }, (_, i) => finding(`f${i}`, i < 2 ? 'high' : 'critical')) };
    const worthy = incidentWorthyFindings(report, 'high');
    expect(worthy.findings).toHaveLength(MAX_INCIDENTS_PER_SCAN);
    expect(worthy.findings.every((f) => f.severity === 'critical')).toBe(true);
    expect(worthy.more).toBe(3);
  });

  it('maps a finding severity to the incident severity', () => {
    expect(['critical', 'high', 'medium', 'low'].map((s) => incidentSeverityOf(s as Severity))).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
  });
});

describe('target incidentOn in the config', () => {
  const config = (incidentOn: string) => parseConfig(`
version: 1
targets:
  - { id: shop, url: "http://127.0.0.1:8080/", scope: { hosts: [127.0.0.1] }, owners: ["U0OWNER1", "cli:olivia", "S0GROUP", "team-shop"], incidentOn: ${incidentOn} }
approvals:
  incident.drill: { approvers: { cliUsers: [{ name: olivia, publicKey: "${testCliUser('olivia').publicKey}" }] } }
`);

  it('gives the scan the threshold, the owners who can act and the keys the incident trusts', () => {
    const cfg = config('critical');
    const scan = dastScanInput(cfg, cfg.targets[0]!, 'schedule');
    expect(scan.findingIncidents).toEqual({ atLeast: 'critical', participants: ['slack:U0OWNER1', 'cli:olivia'], signers: { cliUsers: [{ name: 'olivia', publicKey: testCliUser('olivia').publicKey }] } });
    // The incident's re-test is the same scan without it: a re-test must not open incidents.
    expect(retestScanOf(scan)).not.toHaveProperty('findingIncidents');
    expect(retestScanOf(scan)).toMatchObject({ target: scan.target, taskQueues: scan.taskQueues, requestedBy: 'schedule' });
    expect(scan.findingIncidents).toBeDefined();
  });

  it('refuses info (an informational finding never pages) and words it does not know', () => {
    for (const bad of ['info', 'severe']) {
      expect(() => config(bad)).toThrow(ValidationError);
      expect(() => config(bad)).toThrow(/targets\[0\]\.incidentOn/);
    }
  });

  it('leaves a scan without it opening no incidents', () => {
    const cfg = parseConfig(`version: 1\ntargets:\n  - { id: shop, url: "http://127.0.0.1:8080/", scope: { hosts: [127.0.0.1] } }\n`);
    expect(dastScanInput(cfg, cfg.targets[0]!, 'schedule')).not.toHaveProperty('findingIncidents');
  });
});

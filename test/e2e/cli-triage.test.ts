import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../store/migrations';
import { recordScanStarted } from '../../store/scans';
import { triageDecisions } from '../../store/triage';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { runEntry } from '../support/run-cli';

/**
 * `secops findings triage` as a person runs it, against a fresh store holding findings of
 * one scan: the decision and its audit record land as the Slack modal's do; bad input exits
 * 2 and writes nothing.
 */
describe('secops findings triage', () => {
  let fresh: FreshDatabase;
  // Two findings whose fingerprints share their first 12 characters: a 12-character prefix is ambiguous.
  const sqli = 'a1b2c3d4e5f6' + '0'.repeat(52);
  const xss = 'a1b2c3d4e5f6' + '1'.repeat(52);
  const redirect = 'ffee' + '2'.repeat(60);
  const dir = mkdtempSync(join(tmpdir(), 'secops-cli-triage-'));
  const configPath = join(dir, 'secops.config.yaml');
  writeFileSync(configPath, 'version: 1\ntriage: { maxAcceptRiskDays: 600 }\ntargets:\n  - { id: shop, url: "http://127.0.0.1:9/", scope: { hosts: [127.0.0.1] }, owners: ["cli:alice"] }\n');

  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
    await recordScanStarted(fresh.db, { id: 'dast:shop:1', targetId: 'shop', engine: 'wapiti', profile: 'baseline', startedAt: new Date() });
    for (const [fingerprint, title] of [[sqli, 'SQL Injection'], [xss, 'Cross Site Scripting'], [redirect, 'Open Redirect']]) {
      await fresh.db.query(
        `INSERT INTO findings (target_id, fingerprint, rule_id, title, severity, url, status, first_seen_scan, first_seen_at, last_seen_scan, last_seen_at)
         VALUES ('shop', $1, $2, $2, 'high', 'http://127.0.0.1:9/', 'open', 'dast:shop:1', now(), 'dast:shop:1', now())`,
        [fingerprint, title],
      );
    }
  });
  afterAll(async () => {
    await fresh?.drop();
  });

  // Temporal is never needed: nothing listens at its address.
  const triageAs = async (user: string, ...args: string[]) => runEntry(['secops', 'findings', 'triage', ...args], { SECOPS_CONFIG: configPath, SECOPS_USER: user, DATABASE_URL: fresh.url, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
  const triage = (...args: string[]) => triageAs('alice', ...args);
  const rowCounts = async () => (await fresh.db.query<{ decisions: string; audits: string }>('SELECT (SELECT count(*) FROM triage_decisions) AS decisions, (SELECT count(*) FROM audit_events) AS audits')).rows[0];
  const audits = async () => (await fresh.db.query('SELECT actor, action, subject, outcome, details FROM audit_events ORDER BY id')).rows;
  const nextYear = `${new Date().getUTCFullYear() + 1}-06-30`;

  it('refuses bad input with exit 2, every problem at once, and writes nothing', async () => {
    const before = await rowCounts();
    const cases: [string[], string][] = [
      [['shop', sqli, '--accept-risk', '--until', nextYear], '  - --reason: required: say why this risk is acceptable\n'],
      [['shop', sqli, '--accept-risk', '--reason', ' '], '  - --until: pick the last day the risk stays accepted\n  - --reason: required: say why this risk is acceptable\n'],
      [['shop', sqli, '--accept-risk', '--until', '2020-01-01', '--reason', 'WAF'], '  - --until: the date must be in the future (after today)\n'],
      [['shop', sqli, '--accept-risk', '--until', `${new Date().getUTCFullYear() + 1}-02-30`, '--reason', 'WAF'], '  - --until: pick a valid date\n'],
      [['shop', sqli, '--false-positive'], '  - --reason: required: say why this is a false positive\n'],
      [['shop', sqli, '--false-positive', '--reason', 'x'.repeat(2001)], '  - --reason: must be at most 2000 characters\n'],
      [['shop', sqli, '--false-positive', '--until', nextYear, '--reason', 'not a form'], '  - --until: only an accepted risk expires (--accept-risk)\n'],
      [['shop', sqli, '--ticket', 'javascript:alert(1)'], '  - --ticket: must be an http(s) URL, such as https://tracker.example.com/SEC-123\n'],
      [['shop', sqli, '--false-positive', '--ticket', 'https://tracker.example.com/SEC-1', '--reason', 'both'], '  - decision: one decision at a time, not --false-positive and --ticket\n'],
      [['shop', sqli, '--reason', 'undecided'], '  - decision: say what is decided: --accept-risk, --false-positive or --ticket URL\n'],
      [['nope', sqli, '--false-positive', '--reason', 'no such target'], '  - target: unknown target "nope" (known: shop)\n'],
      [['shop', 'deadbeef', '--false-positive', '--reason', 'no such finding'], '  - <fingerprint>: no finding of target shop has it (see secops findings list --target shop)\n'],
      [['shop', sqli.slice(0, 12), '--false-positive', '--reason', 'which one?'], '  - <fingerprint>: 2 findings of target shop start with it: give more of it\n'],
    ];
    const results = await Promise.all(cases.map(([args]) => triage(...args)));
    expect(results.map((r) => [r.code, r.stdout, r.stderr])).toEqual(cases.map(([, problems]) => [2, '', `error: secops findings triage is invalid:\n${problems}`]));
    expect(await rowCounts()).toEqual(before);
  });

  it('records each kind of decision, by its fingerprint or the 12 characters findings list shows, audited as the CLI user', async () => {
    const accepted = await triage('shop', sqli, '--accept-risk', '--until', nextYear, '--reason', 'compensating WAF rule');
    const expiresAt = `${new Date().getUTCFullYear() + 1}-07-01T00:00:00.000Z`;
    expect(accepted).toMatchObject({ code: 0, stderr: '', stdout: `shop/${sqli}: risk accepted until ${expiresAt} (compensating WAF rule), decided by cli:alice\n` });
    const falsePositive = await triage('shop', redirect.slice(0, 12), '--false-positive', '--reason', 'the redirect is an allow-listed SSO hop');
    expect(falsePositive).toMatchObject({ code: 0, stderr: '', stdout: `shop/${redirect}: marked a false positive (the redirect is an allow-listed SSO hop); later scans suppress it, decided by cli:alice\n` });
    const ticket = await triage('shop', xss, '--ticket', 'https://tracker.example.com/SEC-123');
    expect(ticket).toMatchObject({ code: 0, stderr: '', stdout: `shop/${xss}: tracked in https://tracker.example.com/SEC-123, decided by cli:alice\n` });

    expect((await triageDecisions(fresh.db, 'shop')).map(({ decidedAt: _, ...decision }) => decision)).toEqual([
      { targetId: 'shop', fingerprint: sqli, kind: 'accepted-risk', reason: 'compensating WAF rule', expiresAt, decidedBy: 'cli:alice' },
      { targetId: 'shop', fingerprint: redirect, kind: 'false-positive', reason: 'the redirect is an allow-listed SSO hop', decidedBy: 'cli:alice' },
      { targetId: 'shop', fingerprint: xss, kind: 'ticket', ticketUrl: 'https://tracker.example.com/SEC-123', decidedBy: 'cli:alice' },
    ]);
    expect(await audits()).toEqual([
      { actor: 'cli:alice', action: 'triage.accepted-risk', subject: `shop/${sqli}`, outcome: 'succeeded', details: { reason: 'compensating WAF rule', ticketUrl: null, expiresAt, via: 'cli' } },
      { actor: 'cli:alice', action: 'triage.false-positive', subject: `shop/${redirect}`, outcome: 'succeeded', details: { reason: 'the redirect is an allow-listed SSO hop', ticketUrl: null, expiresAt: null, via: 'cli' } },
      { actor: 'cli:alice', action: 'triage.ticket', subject: `shop/${xss}`, outcome: 'succeeded', details: { reason: null, ticketUrl: 'https://tracker.example.com/SEC-123', expiresAt: null, via: 'cli' } },
    ]);
  });

  it('refuses triage by someone who does not own the target, and an accepted risk beyond the limit: exit 1, audited, no decision', async () => {
    const decisions = async () => (await fresh.db.query<{ n: string }>('SELECT count(*) AS n FROM triage_decisions')).rows[0]!.n;
    const before = await decisions();
    const auditsBefore = (await audits()).length;
    const stranger = await triageAs('bob', 'shop', xss, '--accept-risk', '--until', nextYear, '--reason', 'not mine to accept');
    expect(stranger).toMatchObject({ code: 1, stdout: '', stderr: 'error: not authorized: cli:bob may not accept a risk on shop: only its owners may (targets[].owners)\n' });
    const strangerFp = await triageAs('bob', 'shop', xss, '--false-positive', '--reason', 'looks fine to me');
    expect(strangerFp).toMatchObject({ code: 1, stderr: 'error: not authorized: cli:bob may not triage findings of shop: not an owner, and authorization."dast.triage" does not name you\n' });
    const tooLong = await triage('shop', xss, '--accept-risk', '--until', `${new Date().getUTCFullYear() + 3}-01-01`, '--reason', 'forever, please');
    expect(tooLong).toMatchObject({ code: 1, stderr: 'error: not authorized: an accepted risk may last at most 600 days (triage.maxAcceptRiskDays)\n' });
    expect(await decisions()).toBe(before);
    expect((await audits()).slice(auditsBefore).map((row) => [row.actor, row.action, row.outcome])).toEqual([
      ['cli:bob', 'triage.accepted-risk', 'refused'], ['cli:bob', 'triage.false-positive', 'refused'], ['cli:alice', 'triage.accepted-risk', 'refused'],
    ]);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CoverageReader, LogCoverage } from '../../activities/scanners/coverage-reader';
import { wapitiCoverageReader } from '../../activities/scanners/wapiti-coverage';
import { zapCoverageReader } from '../../activities/scanners/zap-coverage';
import { nothingReached } from '../../domain/coverage';
import { projectPath } from '../../processes/tool-paths';

function read(reader: CoverageReader, text: string): LogCoverage {
  for (const line of text.split('\n')) reader.line(line);
  return reader.result();
}
const fixture = (engine: 'wapiti' | 'zap', name: string) => readFileSync(projectPath('test', 'fixtures', engine, name), 'utf8');
const wapiti = (name: string) => read(wapitiCoverageReader(), fixture('wapiti', name));

/** Logs of real Wapiti 3.0.4 runs (secops-flow/wapiti:latest, -v 1), captured from the container's output. */
describe('Wapiti coverage from its -v 1 log', () => {
  it('reads a full scan of the demo app: what the crawl reached, every module finished, what each attacked', () => {
    const log = wapiti('demo-app-scan-output.txt');
    const at = (path: string) => `http://127.0.0.1:18931${path}`;
    expect(log).toMatchObject({ version: '3.0.4', targetAnswered: true, urlsCrawled: 12, requestsFailed: 0 });
    expect(log.reached.sort()).toEqual(['/', '/file', '/ping', '/product', '/redirect', '/search'].map(at));
    expect(log.modulesRun).toEqual(['crlf', 'csp', 'http_headers', 'csrf', 'cookieflags', 'exec', 'file', 'sql', 'xss', 'htaccess', 'shellshock', 'redirect']);
    expect(log.modulesFinished).toEqual(log.modulesRun);
    expect(log.tested.sql?.sort()).toEqual(['/', '/file', '/ping', '/product', '/redirect', '/search'].map(at));
    expect(log.tested.csrf).toEqual([]);
    expect(log.tested.redirect).toBeUndefined(); // says nothing of what it attacks at -v 1
    // 12 crawl requests and 12 resources announced by each of exec, file, sql and xss.
    expect(log.requestsSent).toBe(12 + 4 * 12);
  });

  it('reads a scan of a target that did not answer: nothing reached, the failed requests counted', () => {
    const log = wapiti('target-down-output.txt');
    expect(log).toMatchObject({ targetAnswered: false, urlsCrawled: 0, reached: [], requestsSent: 3, requestsFailed: 3 });
    expect(log.modulesFinished).not.toContain('http_headers'); // its request was skipped
    expect(nothingReached({ ...log, durationSeconds: 1, source: 'wapiti' })).toMatch(/^the target did not answer \(0 URLs crawled, 3 of 3 requests failed/);
  });

  it('does not count a module stopped by its time limit as finished', () => {
    const log = wapiti('attack-time-reached-output.txt');
    expect(log.modulesRun).toEqual(['http_headers', 'sql', 'xss']);
    expect(log.modulesFinished).toEqual(['sql', 'xss']);
  });

  it('does not count a module that crashed, lost requests, or was cut off by the end of the log', () => {
    const log = read(wapitiCoverageReader(), [
      'Wapiti-3.0.4 (wapiti.sourceforge.io)',
      '[+] GET http://127.0.0.1:8080/ (0)',
      '[+] POST http://127.0.0.1:8080/login (1)',
      '\tdata: user=alice&password=example',
      '[+] GET http://127.0.0.1:8080/gone (1)',
      '[!] ReadTimeout with url http://127.0.0.1:8080/gone',
      '[*] Saving scan state, please wait...',
      '[*] Launching module exec',
      '[+] GET http://127.0.0.1:8080/ (0)',
      'KeyError \'x\'',
      '  File "/usr/lib/python3/dist-packages/wapitiCore/attack/mod_exec.py", line 97, in attack',
      '[*] Launching module sql',
      '2 requests were skipped due to network issues',
      '[*] Launching module xss',
      '[+] POST http://127.0.0.1:8080/login (1)',
    ].join('\n'));
    expect(log).toMatchObject({ targetAnswered: true, urlsCrawled: 2, requestsFailed: 3, modulesRun: ['exec', 'sql', 'xss'], modulesFinished: [] });
    expect(log.reached.sort()).toEqual(['http://127.0.0.1:8080/', 'http://127.0.0.1:8080/login']);
    expect(log.tested.xss).toEqual(['http://127.0.0.1:8080/login']);
  });
});

/**
 * ZAP cannot run here: these are outputs of the form zap-baseline.py and zap-full-scan.py
 * print with -d (zaproxy docker/zap_common.py), see zap-coverage.ts.
 */
describe('ZAP coverage from its packaged scans\' output', () => {
  it('reads a baseline scan: URLs, passive rules that ran, the places its alerts name', () => {
    const log = read(zapCoverageReader({ activeScan: false }), fixture('zap', 'baseline-output.txt'));
    expect(log).toMatchObject({ version: '2.16.1', targetAnswered: true, urlsCrawled: 7, requestsSent: 7, requestsFailed: 0 });
    expect(log.modulesRun).toEqual(['10003', '10010', '10011', '90022', '10021', '10038']);
    expect(log.modulesFinished).toEqual(log.modulesRun);
    expect(log.reached.sort()).toEqual(['http://127.0.0.1:8080/', 'http://127.0.0.1:8080/items/{id}', 'http://127.0.0.1:8080/product', 'http://127.0.0.1:8080/search']);
  });

  it('reads a full scan: an active rule finished only when its progress says Complete', () => {
    const log = read(zapCoverageReader({ activeScan: true }), fixture('zap', 'full-scan-output.txt'));
    expect(log.modulesRun.sort()).toEqual(['10010', '40012', '40018', '6']);
    expect(log.modulesFinished.sort()).toEqual(['10010', '40012', '6']); // 40018 skipped, 40009 never started
    expect(log.requestsSent).toBe(7 + 312 + 412 + 870);
  });

  it('trusts no rule of an active scan whose progress it never saw', () => {
    const text = fixture('zap', 'full-scan-output.txt').split('\n').filter((line) => !line.includes('HostProcess')).join('\n');
    const log = read(zapCoverageReader({ activeScan: true }), text);
    expect(log.modulesFinished).toEqual([]);
  });

  it('does not count passive rules as finished when the passive scan timed out', () => {
    const log = read(zapCoverageReader({ activeScan: false }), `${fixture('zap', 'baseline-output.txt')}\n2026-11-30 03:05:00,000 Exceeded passive scan timeout\n`);
    expect(log.modulesFinished).toEqual([]);
    expect(log.modulesRun).toHaveLength(6);
  });

  it('reads a target that did not answer, or a spider that found nothing, as reaching nothing', () => {
    const down = read(zapCoverageReader({ activeScan: false }), fixture('zap', 'target-down-output.txt'));
    expect(down).toMatchObject({ targetAnswered: false, urlsCrawled: 0, requestsSent: 1, requestsFailed: 1, modulesRun: [] });
    expect(nothingReached({ ...down, durationSeconds: 20, source: 'zap' })).toMatch(/^the target did not answer/);
    const empty = read(zapCoverageReader({ activeScan: false }), '2026-11-30 03:00:20,000 No URLs found - is the target URL accessible? Local services may not be accessible from the Docker container\n');
    expect(empty).toMatchObject({ targetAnswered: true, urlsCrawled: 0, requestsSent: 1, modulesFinished: [] });
    expect(nothingReached({ ...empty, durationSeconds: 20, source: 'zap' })).toMatch(/^the crawl reached no URL/);
    // Crashed before a word about the target: no figures to judge it by.
    expect(read(zapCoverageReader({ activeScan: false }), 'Traceback (most recent call last):\n')).toMatchObject({ targetAnswered: false, requestsSent: 0 });
  });
});

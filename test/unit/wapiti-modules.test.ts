import { describe, expect, it } from 'vitest';
import { wapitiSpec } from '../../activities/scanners/wapiti';
import { NO_ENDPOINT, WAPITI_MODULES, wapitiModules } from '../../activities/scanners/wapiti-modules';
import { DEFAULT_SCANNER_IMAGES, parseConfig, type Target } from '../../domain/config';
import { ValidationError } from '../../domain/validation-error';

/** `wapiti --list-modules` in the image (Debian bookworm's 3.0.4). */
const WAPITI_3_0_4 = ['backup', 'blindsql', 'brute_login_form', 'buster', 'cookieflags', 'crlf', 'csp', 'csrf', 'exec', 'file', 'htaccess', 'http_headers',
  'methods', 'nikto', 'permanentxss', 'redirect', 'shellshock', 'sql', 'ssrf', 'wapp', 'xss', 'xxe'];

function target(yaml = ''): Target {
  const config = parseConfig(`version: 1\ntargets:\n  - id: shop\n    url: http://127.0.0.1:8080/\n    engine: wapiti\n    scope: { hosts: [127.0.0.1] }\n${yaml}`);
  return config.targets[0]!;
}

function cmd(t: Target): string[] {
  return wapitiSpec({ target: t, image: DEFAULT_SCANNER_IMAGES.wapiti, workDir: '/srv/a', labels: { deployment: 'd', workflowId: 'w', runId: 'r', activityId: '1' }, hostUser: { uid: 1000, gid: 1000 } }).cmd;
}

const flag = (line: string[], name: string) => line[line.indexOf(name) + 1];

describe('Wapiti modules per profile', () => {
  it('runs every in-band class in the baseline: injections, traversal, command execution, redirects, headers, cookies, CSP', () => {
    expect(WAPITI_MODULES.baseline).toEqual(expect.arrayContaining(['xss', 'sql', 'file', 'exec', 'crlf', 'redirect', 'http_headers', 'cookieflags', 'csp']));
    expect(flag(cmd(target()), '-m')).toBe(WAPITI_MODULES.baseline.join(','));
  });

  it('adds the slow and trace-leaving modules in the full profile', () => {
    expect(WAPITI_MODULES.full).toEqual([...WAPITI_MODULES.baseline, 'blindsql', 'permanentxss', 'xxe', 'backup', 'methods']);
    for (const slow of ['blindsql', 'permanentxss', 'xxe', 'backup', 'methods']) expect(WAPITI_MODULES.baseline).not.toContain(slow);
    expect(wapitiModules({ ...target(), profile: 'full' })).toEqual(WAPITI_MODULES.full);
  });

  it('names only modules Wapiti 3.0.4 has, and never brute force, database downloads or outside endpoints by default', () => {
    for (const list of Object.values(WAPITI_MODULES)) {
      expect(WAPITI_3_0_4).toEqual(expect.arrayContaining([...list]));
      for (const never of ['ssrf', 'buster', 'brute_login_form', 'nikto', 'wapp']) expect(list).not.toContain(never);
    }
  });

  it('points payloads at a closed local port, not Wapiti\'s public server, when no endpoint is named', () => {
    expect(flag(cmd(target()), '--endpoint')).toBe(NO_ENDPOINT);
    expect(NO_ENDPOINT).toBe('http://127.0.0.1:9/');
  });

  it('runs the SSRF check, and points every payload at the endpoint, only when the target names one', () => {
    const line = cmd(target('    wapitiEndpoint: https://oob.example.net/wapiti/\n'));
    expect(flag(line, '--endpoint')).toBe('https://oob.example.net/wapiti/');
    expect(flag(line, '-m')).toBe([...WAPITI_MODULES.baseline, 'ssrf'].join(','));
    // A target's own module list is the list: nothing is added to it.
    expect(flag(cmd(target('    wapitiEndpoint: https://oob.example.net/\n    wapitiModules: [xss]\n')), '-m')).toBe('xss');
  });

  it.each([
    ['a query', 'https://oob.example.net/?id=1', 'must not carry a query or fragment'],
    ['another scheme', 'ftp://oob.example.net/', 'must be http(s)'],
    ['credentials', 'https://user:pw@oob.example.net/', 'must not embed credentials'],
  ])('refuses an endpoint with %s', (_case, url, message) => {
    let error: unknown;
    try {
      target(`    wapitiEndpoint: "${url}"\n`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([expect.objectContaining({ path: 'targets[0].wapitiEndpoint', message })]);
  });
});

import type { Target } from '../../domain/config';
import type { ScanProfile } from '../../domain/scan-profiles';

/**
 * Which of Wapiti 3.0.4's attack modules (`wapiti --list-modules`) each profile runs.
 *
 * baseline: every class Wapiti tests in-band — it sends a request and reads the answer, with
 * no outside service and no brute force — and that finishes on a small site in a minute or two:
 *   http_headers, cookieflags, csp   missing security headers, cookie flags, CSP (no payloads)
 *   xss, sql                         reflected XSS, error-based SQL (also LDAP, XPath) injection
 *   exec, file                       command execution, path traversal / file disclosure
 *   crlf, redirect                   header (CRLF) injection, open redirect
 *   csrf                             POST forms without a working anti-CSRF token
 *   shellshock, htaccess             CVE-2014-6271 through headers; 401/403 bypassed by a made-up method
 * These send attack payloads through links and forms, each judged by the answer it gets
 * (`env` output, /etc/passwd, a database error); exec's include `sleep 60`, which only a
 * command-injectable page obeys. domain/scan-profiles.ts says what that means for approvals.
 *
 * full adds what is slow or leaves traces:
 *   blindsql        time-based: seconds per payload where the target is slow to answer
 *   permanentxss    stores payloads in the target's data and looks for them elsewhere
 *   xxe             XML bodies with external entities (in-band; out-of-band only with an endpoint)
 *   backup          guesses backup names (.bak, ~, .old …) of every file crawled
 *   methods         OPTIONS on every page, for PUT/DELETE and other uncommon methods
 *
 * Never by default (name them in `wapitiModules`): buster (brute-forces paths, thousands of
 * requests a folder), brute_login_form (guesses passwords: locks accounts), nikto and wapp
 * (download their databases from GitHub at start; the image carries empty ones).
 */
const BASELINE = ['http_headers', 'cookieflags', 'csp', 'xss', 'sql', 'exec', 'file', 'crlf', 'redirect', 'csrf', 'shellshock', 'htaccess'];
const FULL = [...BASELINE, 'blindsql', 'permanentxss', 'xxe', 'backup', 'methods'];

/** Wapiti has no API-definition import: the api profile attacks the URL as the full one does. */
export const WAPITI_MODULES: Readonly<Record<ScanProfile, readonly string[]>> = { baseline: BASELINE, full: FULL, api: FULL };

/**
 * Needs an endpoint of the Wapiti project's kind (its `endpoint/` PHP scripts): the target is
 * made to call it, then Wapiti asks it who called. Runs only when the target names one.
 */
const ENDPOINT_MODULES = ['ssrf'];

/**
 * Where payloads point when the target names no endpoint. Wapiti's default is its author's
 * public server (wapiti3.ovh): `file` would make a vulnerable target fetch from it (remote
 * inclusion) and `xxe` would ask it for out-of-band results. The discard port on the host's
 * own loopback refuses at once, so those payloads reach no one and the in-band checks still run.
 */
export const NO_ENDPOINT = 'http://127.0.0.1:9/';

/** The modules a target's scan runs: its own list when it names one, else its profile's. */
export function wapitiModules(target: Pick<Target, 'profile' | 'wapitiModules' | 'wapitiEndpoint'>): string[] {
  if (target.wapitiModules) return [...target.wapitiModules];
  return [...WAPITI_MODULES[target.profile], ...(target.wapitiEndpoint ? ENDPOINT_MODULES : [])];
}

/** What `--endpoint` names: the target's endpoint, else NO_ENDPOINT. */
export function wapitiEndpoint(target: Pick<Target, 'wapitiEndpoint'>): string {
  return target.wapitiEndpoint ?? NO_ENDPOINT;
}

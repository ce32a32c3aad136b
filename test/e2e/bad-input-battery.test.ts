import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIngestActivities } from '../../activities/findings/ingest-report';
import { loadConfigFile } from '../../client/config-file';
import { createCodecServer } from '../../codec/codec-server';
import { EncryptionCodec } from '../../codec/payload-codec';
import { TEXT_CAPS, TRUNCATION_MARK } from '../../domain/bounded-text';
import { parseKeyRing } from '../../domain/codec-keys';
import { parseEnvironment } from '../../domain/environment';
import type { Finding } from '../../domain/finding';
import { fingerprint } from '../../domain/fingerprint';
import { ValidationError } from '../../domain/validation-error';
import { waitUntil } from '../../processes/wait-until';
import { migrate } from '../../store/migrations';
import { completeScan, recordScanStarted, storeScanFindings } from '../../store/scans';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { runEntry, type CliResult } from '../support/run-cli';
import { devServerClient } from '../support/workers';

/**
 * The bad-input battery (issue 10, "Bounded inputs"): config files, environment variables,
 * CLI arguments, scanner reports and codec-server requests, one table each. Every case checks
 * the refusal a person or caller gets (message, exit code, status) AND that nothing changed:
 * no workflow or schedule on this file's task queues (the run's Temporal dev server), no row
 * added or removed in any table of this file's store, no file created, changed or removed
 * under this file's directory. The CLI runs as a process, as people run it: for every
 * CLI-argument case, and for the config and environment cases marked `cli`; the others go
 * through the same loaders every command starts with (loadConfigFile, parseEnvironment) in
 * this process, since a CLI process costs about a second.
 *
 * The checks are shown able to fail: the first test starts a real scan through the same CLI
 * and sees it counted; the sanitizing report cases see their rows counted.
 */

const id = randomBytes(4).toString('hex');
const target = `shop-${id}`;
const queues = { control: `battery-control-${id}`, scanners: `battery-scanners-${id}` };
const root = mkdtempSync(join(tmpdir(), 'secops-battery-'));
const artifactsDir = join(root, 'artifacts');
const configsDir = join(root, 'configs');
const reportsDir = join(root, 'reports');
for (const dir of [artifactsDir, configsDir, reportsDir, join(reportsDir, 'a-directory')]) mkdirSync(dir, { recursive: true });

/** An OpenSSH ed25519 public key line, for a CLI approver a policy can name. */
function sshPublicKey(): string {
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const field = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]).toString('base64')} battery`;
}

const head = `version: 1
taskQueues: { control: ${queues.control}, scanners: ${queues.scanners} }
artifactsDir: ${artifactsDir}
`;
const shop = `{ id: ${target}, url: "http://127.0.0.1:9/", engine: wapiti, owners: ["cli:battery"], scope: { hosts: [127.0.0.1] } }`;
const validConfig = `${head}targets:\n  - ${shop}\n`;
const credential = (gracePeriod: string) =>
  `credentials:\n  - { id: db-${id}, target: { provider: postgres-role, adminUrlEnv: SHOP_DB_ADMIN_URL, strategy: single-user, role: shop }, secretStore: { provider: file, file: ${join(root, 'secrets.json')}, path: shop/db }, gracePeriod: "${gracePeriod}" }\n`;
const policy = (fields: string) => `approvals:\n  "dast.active-scan": { approvers: { cliUsers: [{ name: battery, publicKey: "${sshPublicKey()}" }] }, ${fields} }\n`;
const withTarget = (fields: string) => `${head}targets:\n  - { id: ${target}, url: "http://127.0.0.1:9/", scope: { hosts: [127.0.0.1] }, ${fields} }\n`;

/** Nine levels of ten aliases each: 10^9 nodes once expanded. */
function aliasBomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let level = 1; level < 9; level += 1) lines.push(`a${level}: &a${level} [${Array(10).fill(`*a${level - 1}`).join(', ')}]`);
  return `${validConfig}${lines.join('\n')}\n`;
}

interface InputCase {
  name: string;
  /** The problem line (after `  - `) the refusal lists; a pattern where another part of issue 10 still words it. */
  problem: string | RegExp;
  /** Also run through `secops scan` as a process; the rest go through the same loader in this process. */
  cli?: true;
}

const oversizedConfig = `${validConfig}# ${'x'.repeat(1024 * 1024)}\n`;

const CONFIG_CASES: (InputCase & { text: string })[] = [
  { name: 'duplicate target ids', text: `${validConfig}  - ${shop}\n`, problem: `targets[1].id: duplicate target id "${target}"` },
  { name: 'unknown top-level key', text: `${validConfig}colour: blue\n`, problem: 'Unrecognized key: "colour"' },
  { name: 'unknown key in a target', text: withTarget('colour: blue'), problem: 'targets[0]: Unrecognized key: "colour"' },
  { name: 'a secret in the config', text: `${validConfig}slack: { channel: "#secops", botToken: test-bot-token-not-real }\n`, problem: 'slack.botToken: secrets are not allowed in the config file; set them in the environment' },
  { name: 'a grace period of 10^20 days', text: `${validConfig}${credential('100000000000000000000 days')}`, problem: 'credentials[0].gracePeriod: must be at most 366 days', cli: true },
  { name: 'a grace period of 367 days', text: `${validConfig}${credential('367d')}`, problem: 'credentials[0].gracePeriod: must be at most 366 days' },
  { name: 'an approval timeout of 10^20 days', text: `${validConfig}${policy('timeout: 100000000000000000000d')}`, problem: 'approvals.dast.active-scan.timeout: must be at most 366 days' },
  { name: 'an escalation after 9000000 hours', text: `${validConfig}${policy(`escalation: [{ after: 9000000h, approvers: { cliUsers: [{ name: battery, publicKey: "${sshPublicKey()}" }] } }]`)}`, problem: 'approvals.dast.active-scan.escalation[0].after: must be at most 366 days' },
  { name: 'not a duration', text: `${validConfig}${credential('forever')}`, problem: 'credentials[0].gracePeriod: must be a duration such as 30m, 4h or 2d' },
  { name: 'a __proto__ key', text: withTarget('__proto__: { polluted: true }'), problem: 'targets[0].__proto__: "__proto__" is not allowed as a key (it names an object prototype)', cli: true },
  { name: 'a constructor key', text: `${validConfig}constructor: { name: x }\n`, problem: 'constructor: "constructor" is not allowed as a key (it names an object prototype)' },
  { name: 'a prototype key', text: `${head}targets:\n  - { id: ${target}, url: "http://127.0.0.1:9/", scope: { hosts: [127.0.0.1], prototype: x } }\n`, problem: 'targets[0].scope.prototype: "prototype" is not allowed as a key (it names an object prototype)' },
  { name: 'a file over 1 MiB', text: oversizedConfig, problem: `the config file is ${Buffer.byteLength(oversizedConfig)} bytes, over the limit of 1048576 bytes (1 MiB)`, cli: true },
  { name: 'a YAML alias bomb', text: aliasBomb(), problem: 'YAML: aliases expand to too many nodes (more than 100 alias uses); write the values out', cli: true },
  { name: 'an alias inside its own anchor', text: `${validConfig}loop: &loop [1, *loop]\n`, problem: 'loop[1]: YAML: an alias refers to a node that contains it (a cycle)' },
  { name: 'duplicate YAML keys', text: `${validConfig}version: 1\n`, problem: /^YAML: Map keys must be unique at line 6, column 1:$/ },
  { name: 'broken YAML', text: `${validConfig}colour: [blue\n`, problem: /^YAML: .* at line 7, column \d+:$/ },
  { name: 'version 2', text: validConfig.replace('version: 1', 'version: 2'), problem: 'version: must be 1' },
  { name: 'an ftp URL', text: `${head}targets:\n  - { id: ${target}, url: "ftp://127.0.0.1/", scope: { hosts: [127.0.0.1] } }\n`, problem: 'targets[0].url: must be http(s)' },
  { name: 'the cloud metadata address', text: `${head}targets:\n  - { id: ${target}, url: "http://169.254.169.254/latest/meta-data/", scope: { hosts: [169.254.169.254] } }\n`, problem: /^targets\[0\]\.url: 169\.254\.169\.254 is a? ?link-local.*allowLinkLocal/, cli: true },
  { name: 'the metadata address as IPv4-mapped IPv6', text: `${head}targets:\n  - { id: ${target}, url: "http://[::ffff:169.254.169.254]/", scope: { hosts: ["[::ffff:169.254.169.254]"] } }\n`, problem: /^targets\[0\]\.url: .*(::ffff:a9fe:a9fe|169\.254\.169\.254).*link-local.*allowLinkLocal/ },
  { name: 'credentials in a URL', text: `${head}targets:\n  - { id: ${target}, url: "http://admin:pw@127.0.0.1:9/", scope: { hosts: [127.0.0.1] } }\n`, problem: 'targets[0].url: must not embed credentials' },
  { name: 'an unknown time zone', text: withTarget('schedule: { timezone: Mars/Olympus }'), problem: 'targets[0].schedule.timezone: must be an IANA time zone such as Europe/Paris' },
  { name: 'hour 25', text: withTarget('schedule: { hour: 25 }'), problem: 'targets[0].schedule.hour: Too big: expected number to be <=23' },
  { name: 'incidentOn: info (an informational finding never pages)', text: withTarget('incidentOn: info'), problem: 'targets[0].incidentOn: Invalid option: expected one of "critical"|"high"|"medium"|"low"' },
  { name: 'an incident route matching no label (it would take every alert)', text: `${validConfig}incidents: { routes: [{ name: catch-all, match: {}, playbook: drill }] }\n`, problem: 'incidents.routes[0].match: must match at least one label' },
  { name: 'http.listen without a port', text: `${validConfig}http: { listen: localhost }\n`, problem: 'http.listen: must be host:port (127.0.0.1:8089)' },
  { name: 'http.listen on port 70000', text: `${validConfig}http: { listen: "127.0.0.1:70000" }\n`, problem: 'http.listen: port must be 1 to 65535' },
  { name: 'a task queue name with a space', text: validConfig.replace(`control: ${queues.control}`, 'control: "has space"'), problem: 'taskQueues.control: must be a task queue name (letters, digits, . _ -)' },
];

const ENVIRONMENT_CASES: (InputCase & { env: Record<string, string> })[] = [
  { name: 'SECOPS_CODEC_KEYS without a key id', env: { SECOPS_CODEC_KEYS: randomBytes(32).toString('base64') }, problem: /^SECOPS_CODEC_KEYS: /, cli: true },
  { name: 'SECOPS_CODEC_KEYS with a 16-byte key', env: { SECOPS_CODEC_KEYS: `k1:${randomBytes(16).toString('base64')}` }, problem: /^SECOPS_CODEC_KEYS: / },
  { name: 'SECOPS_CODEC_KEYS with a repeated key id', env: { SECOPS_CODEC_KEYS: `k1:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}` }, problem: /^SECOPS_CODEC_KEYS: / },
  { name: 'a mysql DATABASE_URL', env: { DATABASE_URL: 'mysql://db.example.test/secops' }, problem: 'DATABASE_URL: must be a postgres:// URL', cli: true },
  { name: 'SECOPS_LOG_LEVEL loud', env: { SECOPS_LOG_LEVEL: 'loud' }, problem: 'SECOPS_LOG_LEVEL: must be TRACE, DEBUG, INFO, WARN or ERROR (any case)' },
  { name: 'TEMPORAL_ADDRESS as a URL', env: { TEMPORAL_ADDRESS: 'http://127.0.0.1:7233' }, problem: 'TEMPORAL_ADDRESS: must be host:port' },
  { name: 'SECOPS_MAX_REPORT_MB of 0', env: { SECOPS_MAX_REPORT_MB: '0' }, problem: 'SECOPS_MAX_REPORT_MB: must be at least 1 (MiB)', cli: true },
  { name: 'SECOPS_MAX_REPORT_MB of 100000', env: { SECOPS_MAX_REPORT_MB: '100000' }, problem: 'SECOPS_MAX_REPORT_MB: must be at most 500 (MiB): the findings of a report are still gathered in memory before they are stored' },
  { name: 'SECOPS_MAX_REPORT_MB of "lots"', env: { SECOPS_MAX_REPORT_MB: 'lots' }, problem: 'SECOPS_MAX_REPORT_MB: must be a whole number of MiB' },
  { name: 'SLACK_PORT 70000', env: { SLACK_PORT: '70000' }, problem: 'SLACK_PORT: Too big: expected number to be <=65535' },
  { name: 'a TLS certificate without its key', env: { TEMPORAL_TLS_CERT: join(root, 'cert.pem') }, problem: 'TEMPORAL_TLS_KEY: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together' },
  { name: 'a short SECOPS_ALERTMANAGER_TOKEN', env: { SECOPS_ALERTMANAGER_TOKEN: 'short' }, problem: 'SECOPS_ALERTMANAGER_TOKEN: must be at least 32 characters (openssl rand -hex 32)' },
  { name: 'a SECOPS_ALERTMANAGER_TOKEN a bearer header cannot carry', env: { SECOPS_ALERTMANAGER_TOKEN: `${'x'.repeat(31)} y` }, problem: 'SECOPS_ALERTMANAGER_TOKEN: must be a bearer token: letters, digits, - . _ ~ + / and trailing =' },
  { name: 'a SECOPS_WEBHOOK_SECRETS entry without whsec_', env: { SECOPS_WEBHOOK_SECRETS: `not-a-whsec-${randomBytes(16).toString('hex')}` }, problem: 'SECOPS_WEBHOOK_SECRETS: secret 1 must start with "whsec_"' },
  { name: 'a short SECOPS_CODEC_SERVER_TOKEN', env: { SECOPS_CODEC_SERVER_TOKEN: 'short' }, problem: 'SECOPS_CODEC_SERVER_TOKEN: must be at least 32 characters (openssl rand -hex 32)' },
  { name: 'SECOPS_USER with a space', env: { SECOPS_USER: 'mallory smith' }, problem: 'SECOPS_USER: must be a user name' },
  { name: 'a relative SECOPS_ARTIFACTS_DIR', env: { SECOPS_ARTIFACTS_DIR: 'artifacts' }, problem: 'SECOPS_ARTIFACTS_DIR: must be an absolute path' },
];

const validConfigPath = join(configsDir, 'valid.yaml');
writeFileSync(validConfigPath, validConfig);
const configPaths = CONFIG_CASES.map(({ text }, i) => {
  const path = join(configsDir, `case-${String(i).padStart(2, '0')}.yaml`);
  writeFileSync(path, text);
  return path;
});

// One finding in the store, so triage cases reach the checks that need a real fingerprint.
const seededUrl = 'http://127.0.0.1:9/search';
const seeded: Finding = {
  fingerprint: fingerprint('wapiti', 'sql-injection', seededUrl, 'q'), engine: 'wapiti', ruleId: 'sql-injection', title: 'SQL Injection',
  severity: 'high', confidence: 'high', url: seededUrl, method: 'GET', parameter: 'q', references: [], instances: [{ url: seededUrl, method: 'GET', parameter: 'q' }],
};
const nextYear = `${new Date().getUTCFullYear() + 1}`;

/** [case, arguments, exit code, what stderr says] */
const CLI_CASES: [string, string[], number, string | RegExp][] = [
  ['scan of an unknown target', ['scan', 'nope', '--no-wait'], 3, `error: secops scan is invalid:\n  - target: unknown target "nope" (known: ${target})\n`],
  ['scan with a profile that does not exist', ['scan', target, '--profile', 'everything', '--no-wait'], 3, /^error: secops scan is invalid:\n {2}- --profile: must be /],
  ['an active scan with no approval policy', ['scan', target, '--profile', 'full', '--no-wait'], 3, /^error: secops scan is invalid:\n {2}- --profile: the full profile scans actively and needs an approvals\."dast\.active-scan" policy in /],
  ['scan with an unknown option', ['scan', target, '--bogus'], 3, "error: unknown option '--bogus'\n"],
  ['scan without a target', ['scan'], 3, "error: missing required argument 'target'\n"],
  ['triage of a fingerprint no finding has', ['findings', 'triage', target, 'ffffffffffff', '--false-positive', '--reason', 'no'], 2, `error: secops findings triage is invalid:\n  - <fingerprint>: no finding of target ${target} has it (see secops findings list --target ${target})\n`],
  ['an acceptance until a day that does not exist', ['findings', 'triage', target, seeded.fingerprint, '--accept-risk', '--until', `${nextYear}-02-30`, '--reason', 'WAF'], 2, /\n {2}- --until: pick a valid date\n$/],
  ['an acceptance until a day in the past', ['findings', 'triage', target, seeded.fingerprint, '--accept-risk', '--until', '2001-01-01', '--reason', 'WAF'], 2, /\n {2}- --until: the date must be in the future \(after today\)\n$/],
  ['an acceptance for a duration instead of a date', ['findings', 'triage', target, seeded.fingerprint, '--accept-risk', '--until', '100000000000000000000d', '--reason', 'WAF'], 2, /\n {2}- --until: pick the last day the risk stays accepted\n$/],
  ['a javascript: ticket link', ['findings', 'triage', target, seeded.fingerprint, '--ticket', 'javascript:alert(1)'], 2, /\n {2}- --ticket: must be an http\(s\) URL/],
  ['two decisions at once', ['findings', 'triage', target, seeded.fingerprint, '--accept-risk', '--false-positive', '--reason', 'x'], 2, /\n {2}- decision: one decision at a time, not --accept-risk and --false-positive\n$/],
  ['an approval id without its number', ['approvals', 'approve', 'dast:shop:1'], 2, /^error: secops approvals approve is invalid:\n {2}- <approval>: "dast:shop:1" is not an approval id/],
  ['an approval id numbered 0', ['approvals', 'reject', 'dast:shop:1#0', '--reason', 'no'], 2, /^error: secops approvals reject is invalid:\n {2}- <approval>: "dast:shop:1#0" is not an approval id/],
  ['rotation of an unknown credential', ['rotate', 'nope'], 2, 'error: secops rotate is invalid:\n  - credential: unknown credential "nope" (known: none)\n'],
  ['an export format that does not exist', ['findings', 'export', '--target', target, '--format', 'exe', '--output', join(root, 'report.exe')], 2, /^error: secops findings export is invalid:\n {2}- --format: must be one of /],
  ['an export into a directory that does not exist', ['findings', 'export', '--target', target, '--output', join(root, 'missing', 'report.json')], 2, `error: secops findings export is invalid:\n  - --output: the directory ${join(root, 'missing')} does not exist\n`],
  ['findings of an unknown target', ['findings', 'list', '--target', 'nope'], 2, `error: secops findings list is invalid:\n  - target: unknown target "nope" (known: ${target})\n`],
  ['pausing the schedule of an unknown target', ['schedules', 'pause', 'nope'], 2, `error: secops schedules pause is invalid:\n  - target: unknown target "nope" (known: ${target})\n`],
  ['a port that is not a number', ['dev', '--port', 'http'], 2, "error: option '--port <port>' argument 'http' is invalid. must be a port number\n"],
  ['an unknown command', ['exfiltrate'], 2, "error: unknown command 'exfiltrate'\n"],
];

// Scanner reports, each written once here; the cases point the ingest activity at them.
const zapFixture = readFileSync('test/fixtures/zap/two-sites.json', 'utf8');
const report = (name: string, text: string) => {
  const path = join(reportsDir, name);
  writeFileSync(path, text);
  return path;
};
const MIB = 1024 * 1024;
const oversized = join(reportsDir, 'oversized.json');
writeFileSync(oversized, '');
// Sparse: 300 MiB that take no disk, and that reading (not stat) would take seconds and memory to refuse.
truncateSync(oversized, 300 * MIB);
const zapWith = (instance: Record<string, string>, alert: Record<string, string> = {}) =>
  JSON.stringify({ site: [{ '@name': 'http://127.0.0.1:9', alerts: [{ pluginid: '40012', alert: 'Cross Site Scripting (Reflected)', riskcode: '3', confidence: '2', ...alert, instances: [{ uri: 'http://127.0.0.1:9/search', method: 'GET', param: 'q', ...instance }] }] }] });

/** [case, engine, report path, the failure type, its message] */
const REPORT_CASES: [string, 'zap' | 'wapiti', string, string, string | RegExp][] = [
  ['a ZAP report cut off mid-write', 'zap', report('truncated.json', zapFixture.slice(0, 4000)), 'MalformedReport', /truncated\.json: truncated or malformed JSON at position \d+$/],
  ['an empty report', 'wapiti', report('empty.json', ''), 'MalformedReport', /empty\.json: truncated or malformed JSON at position 0$/],
  ['an HTML error page instead of JSON', 'zap', report('html.json', '<html><body>502 Bad Gateway</body></html>'), 'MalformedReport', /html\.json: malformed JSON: Unexpected token '<'/],
  ['a Wapiti report of the wrong shape', 'wapiti', report('shape.json', '{"vulnerabilities": [], "infos": {"target": "http://127.0.0.1:9/"}}'), 'MalformedReport', /shape\.json: not a Wapiti JSON report: vulnerabilities: /],
  ['a ZAP report given as Wapiti', 'wapiti', report('zap-as-wapiti.json', zapFixture), 'MalformedReport', /zap-as-wapiti\.json: not a Wapiti JSON report: /],
  ['a ZAP instance that is not an object', 'zap', report('instance.json', zapWith({}).replace(/"instances":\[\{.*?\}\]/, '"instances":["GET /"]')), 'MalformedReport', /instance\.json: not a ZAP JSON report: site\[0\]\.alerts\[0\]\.instances\[0\]: expected an instance object$/],
  ['a ZAP risk code out of range', 'zap', report('risk.json', zapWith({}, { riskcode: '9' })), 'MalformedReport', /risk\.json: not a ZAP JSON report: site\[0\]\.alerts\[0\]\.riskcode: expected one of "0","1","2","3"$/],
  ['a report that is missing', 'zap', join(reportsDir, 'never-written.json'), 'MalformedReport', /never-written\.json: cannot read the report \(ENOENT\)$/],
  ['a directory instead of a report', 'wapiti', join(reportsDir, 'a-directory'), 'MalformedReport', /a-directory: cannot read the report \(EISDIR\)$/],
  ['a 300 MiB report over the default 256 MiB cap', 'zap', oversized, 'ReportTooLarge', `${oversized}: the report is 300 MiB, over the cap of 256 MiB (SECOPS_MAX_REPORT_MB); raise it if reports this large are expected`],
];

// Reports that are bad only in their text: stored, with the text made storable.
const nul = report('nul.json', zapWith({ evidence: 'id=1\u0000; DROP TABLE' }));
const controls = report('controls.json', zapWith({ evidence: 'ok' }, { alert: '\u001b[31mRed\u001b[0m alert \ud800 \u0007' }));
const longEvidence = report('long.json', zapWith({ evidence: 'A'.repeat(1024 * 1024) }));

const token = randomBytes(32).toString('hex');
const ring = parseKeyRing(`k1:${randomBytes(32).toString('base64')}`);
const b64 = (text: string) => Buffer.from(text).toString('base64');
const plain = { metadata: { encoding: b64('json/plain') }, data: b64('{"answer":42}') };
const json = { 'content-type': 'application/json', authorization: `Bearer ${token}` };

interface HttpCase {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Sent in 1 MiB chunks without a Content-Length. */
  chunks?: number;
}

/** [case, request, status, answer body] */
const CODEC_CASES: [string, HttpCase, number, unknown][] = [
  ['a body that is not JSON', { body: '{"payloads": [' }, 400, { error: 'body is not valid JSON' }],
  ['a text/plain body', { headers: { ...json, 'content-type': 'text/plain' }, body: JSON.stringify({ payloads: [plain] }) }, 415, { error: 'content type must be application/json' }],
  ['a form body', { headers: { ...json, 'content-type': 'application/x-www-form-urlencoded' }, body: 'payloads=1' }, 415, { error: 'content type must be application/json' }],
  ['no token', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payloads: [plain] }) }, 401, ''],
  ['a wrong token', { headers: { ...json, authorization: `Bearer ${randomBytes(32).toString('hex')}` }, body: JSON.stringify({ payloads: [plain] }) }, 401, ''],
  ['a 9 MiB body', { body: JSON.stringify({ payloads: [{ data: 'A'.repeat(9 * MIB) }] }) }, 413, { error: `body larger than ${8 * MIB} bytes` }],
  ['a 9 MiB body sent chunked', { chunks: 9 }, 413, { error: `body larger than ${8 * MIB} bytes` }],
  ['payload data that is not base64', { body: JSON.stringify({ payloads: [{ data: 'not base64!' }] }) }, 400, { error: 'body is not { payloads: [...] } in proto3 JSON: payloads[0].data: must be base64' }],
  ['payload data of an impossible base64 length', { body: JSON.stringify({ payloads: [{ data: 'QUJDR' }] }) }, 400, { error: 'body is not { payloads: [...] } in proto3 JSON: payloads[0].data: must be base64 of whole bytes (its length cannot be)' }],
  ['a __proto__ metadata key', { body: '{"payloads": [{"metadata": {"__proto__": "eA=="}, "data": "eA=="}]}' }, 400, { error: 'body is not { payloads: [...] } in proto3 JSON: payloads[0].metadata.__proto__: "__proto__" is not allowed as a key (it names an object prototype)' }],
  ['payloads that are not a list', { body: JSON.stringify({ payloads: plain }) }, 400, { error: 'body is not { payloads: [...] } in proto3 JSON: payloads: Invalid input: expected array, received object' }],
  ['a payload encrypted with an unknown key', { body: JSON.stringify({ payloads: [{ metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('gone') }, data: b64('x'.repeat(40)) }] }) }, 400, { error: 'payload encrypted with key id "gone", which is not in the key ring' }],
  ['a GET', { method: 'GET', body: undefined }, 405, ''],
  ['a path that is neither encode nor decode', { path: '/eval', body: '{}' }, 404, ''],
];

describe('bad-input battery', () => {
  let fresh: FreshDatabase;
  let client: Client;
  let codecServer: Server;
  let codecBase = '';
  const scanId = `dast:${target}:battery`;

  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
    await recordScanStarted(fresh.db, { id: scanId, targetId: target, engine: 'wapiti', profile: 'baseline', startedAt: new Date() });
    await storeScanFindings(fresh.db, scanId, [seeded]);
    await completeScan(fresh.db, scanId, { verdict: 'fail', counts: { info: 0, low: 0, medium: 0, high: 1, critical: 0 }, reportDir: artifactsDir, finishedAt: new Date() });
    client = await devServerClient();
    codecServer = createCodecServer({ codec: new EncryptionCodec(ring), token, allowedOrigins: [] });
    await new Promise<void>((resolve) => codecServer.listen(0, '127.0.0.1', resolve));
    codecBase = `http://127.0.0.1:${(codecServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => codecServer?.close(resolve));
    await client?.connection.close();
    await fresh?.drop();
  });

  /** What the battery watches: workflows and schedules of this file, rows of its store, files under its directory. */
  async function snapshot() {
    const { count: workflows } = await client.workflow.count(`TaskQueue = '${queues.control}' OR TaskQueue = '${queues.scanners}'`);
    const schedules: string[] = [];
    for await (const schedule of client.schedule.list()) if (schedule.scheduleId.includes(id)) schedules.push(schedule.scheduleId);
    const { rows: tables } = await fresh.db.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    const rows: Record<string, number> = {};
    for (const { name } of tables) rows[name] = Number((await fresh.db.query(`SELECT count(*) AS n FROM "${name}"`)).rows[0].n);
    return { workflows, schedules, rows, files: filesUnder(root) };
  }

  /** Runs `act` and checks it changed nothing the battery watches. */
  async function changesNothing<T>(act: () => Promise<T>): Promise<T> {
    const before = await snapshot();
    const result = await act();
    expect(await snapshot()).toEqual(before);
    return result;
  }

  const cliEnv = (env: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    SECOPS_CONFIG: validConfigPath, TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: fresh.url, SECOPS_USER: 'battery',
    SECOPS_ARTIFACTS_DIR: undefined, SECOPS_CODEC_KEYS: undefined, SECOPS_MAX_REPORT_MB: undefined, SLACK_BOT_TOKEN: undefined, ...env,
  });
  const secops = (args: string[], env?: Record<string, string>): Promise<CliResult> => runEntry(['secops', ...args], cliEnv(env));

  it('control: a file written under the battery\'s directory is seen (so the file checks can fail)', async () => {
    const before = await snapshot();
    writeFileSync(join(artifactsDir, 'control.txt'), 'x');
    const after = await snapshot();
    expect(after.files).not.toEqual(before.files);
    expect(after.files.filter((file) => !before.files.includes(file))).toEqual(expect.arrayContaining([expect.stringMatching(/^artifacts\/control\.txt 1 /)]));
  });

  it('control: the valid setup passes, and a scan it starts is counted (so the no-change checks can fail)', async () => {
    expect(await secops(['config', 'check'])).toMatchObject({ code: 0, stderr: '', stdout: `${validConfigPath}: ok (1 target(s))\n` });
    const before = await snapshot();
    const started = await secops(['scan', target, '--no-wait']);
    expect(started.stderr).toBe('');
    const workflowId = /^scan started: (\S+)$/m.exec(started.stdout)?.[1];
    expect(workflowId).toMatch(new RegExp(`^dast:${target}:`));
    await client.workflow.getHandle(workflowId!).terminate('bad-input battery control');
    // Visibility lags behind the start; the count is what every case below compares.
    await waitUntil('the control scan is visible', async () => (await snapshot()).workflows > before.workflows, 30_000);
    expect(await snapshot()).toEqual({ ...before, workflows: before.workflows + 1 });
  });

  /** The refusal as `secops` prints it after `error: `: through the CLI for `cli` cases, else from `load` in this process. */
  async function refusal(input: InputCase, env: Record<string, string>, load: () => unknown): Promise<string> {
    if (input.cli) {
      const result = await secops(['scan', target, '--no-wait'], env);
      // Under `secops scan` every error exits 3 (a pipeline must not read 2 as WARN).
      expect(result.code, result.stderr).toBe(3);
      expect(result.stdout).toBe('');
      expect(result.stderr.startsWith('error: '), result.stderr).toBe(true);
      return result.stderr.slice('error: '.length).trimEnd();
    }
    try {
      load();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).message;
    }
    throw new Error(`${input.name}: accepted`);
  }

  /** The problem lines of a refusal, without their `  - `. */
  const problemLines = (message: string) => message.split('\n').slice(1).map((line) => line.replace(/^ {2}- /, ''));
  const expectProblem = (message: string, problem: string | RegExp) =>
    typeof problem === 'string' ? expect(problemLines(message), message).toContain(problem) : expect(problemLines(message).some((line) => problem.test(line)), message).toBe(true);

  describe.concurrent('config files: refused with the problem and its path, nothing started (loadConfigFile, as every command reads it)', () => {
    it.for(CONFIG_CASES.map((c, i) => ({ ...c, path: configPaths[i]! })))('$name', async (input) => {
      const message = await changesNothing(() => refusal(input, { SECOPS_CONFIG: input.path }, () => loadConfigFile(input.path)));
      expect(message.split('\n')[0]).toBe(`${input.path} is invalid:`);
      expectProblem(message, input.problem);
    });
  });

  describe.concurrent('environment variables: refused before anything is reached, nothing started (parseEnvironment, as every process starts)', () => {
    it.for(ENVIRONMENT_CASES)('$name', async (input) => {
      const message = await changesNothing(() => refusal(input, input.env, () => parseEnvironment({ ...definedOnly(cliEnv()), ...input.env })));
      expect(message.split('\n')[0]).toBe('environment is invalid:');
      expect(problemLines(message), message).toHaveLength(1);
      expectProblem(message, input.problem);
      // A refused value is never echoed: keys and tokens are secrets.
      for (const value of Object.values(input.env)) if (value.length >= 16) expect(message).not.toContain(value);
    });
  });

  describe.concurrent('CLI arguments: refused with the CLI exit code, nothing started or written', () => {
    it.for(CLI_CASES)('%s', async ([, args, code, stderr]) => {
      const result = await changesNothing(() => secops(args));
      expect(result.code, result.stderr).toBe(code);
      expect(result.stdout).toBe('');
      if (typeof stderr === 'string') expect(result.stderr).toBe(stderr);
      else expect(result.stderr).toMatch(stderr);
    });
  });

  describe('scanner reports: refused at once (non-retryable, naming the file), the scan\'s findings left as they were', () => {
    it.for(REPORT_CASES)('%s', async ([, engine, path, type, message]) => {
      const { ingestReport } = createIngestActivities(() => fresh.db);
      const failure = await changesNothing(() => ingestReport({ scanId, engine, reportPath: path }).then(() => undefined, (error: unknown) => error));
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type, nonRetryable: true });
      if (typeof message === 'string') expect((failure as Error).message).toBe(message);
      else expect((failure as Error).message).toMatch(message);
      expect((await fresh.db.query('SELECT fingerprint FROM scan_findings WHERE scan_id = $1', [scanId])).rows).toEqual([{ fingerprint: seeded.fingerprint }]);
    });
  });

  describe('scanner reports bad only in their text: stored, with the text made storable', () => {
    const stored = async (reportPath: string) => {
      const sanitizedScan = `dast:${target}:${randomBytes(4).toString('hex')}`;
      await recordScanStarted(fresh.db, { id: sanitizedScan, targetId: target, engine: 'zap', profile: 'baseline', startedAt: new Date() });
      const before = await snapshot();
      const result = await createIngestActivities(() => fresh.db).ingestReport({ scanId: sanitizedScan, engine: 'zap', reportPath });
      const after = await snapshot();
      // Exactly the scan's one finding was written, nothing else.
      expect(after).toEqual({ ...before, rows: { ...before.rows, scan_findings: before.rows.scan_findings! + 1 } });
      expect(result).toEqual({ findings: 1, instances: 1 });
      const { rows } = await fresh.db.query<{ finding: Finding; text: string }>('SELECT finding, finding::text AS text FROM scan_findings WHERE scan_id = $1', [sanitizedScan]);
      return rows[0]!;
    };

    it('why: unbounded, a NUL fails the jsonb insert with a data exception (class 22, what ingest fails non-retryably on), and nothing is written', async () => {
      const raw: Finding = { ...seeded, instances: [{ ...seeded.instances[0]!, evidence: 'id=1\u0000' }] };
      const refused = await changesNothing(() => storeScanFindings(fresh.db, scanId, [raw]).then(() => undefined, (error: unknown) => error));
      expect(refused).toMatchObject({ code: '22P05' });
    });

    it('a NUL in the evidence is removed', async () => {
      const { finding } = await stored(nul);
      expect(finding.evidence).toBe('id=1; DROP TABLE');
      expect(finding.instances[0]!.evidence).toBe('id=1; DROP TABLE');
    });

    it('terminal escapes, a bell and a lone surrogate in the title are removed or replaced', async () => {
      const { finding } = await stored(controls);
      expect(finding.title).toBe('[31mRed[0m alert \uFFFD ');
    });

    it(`evidence of 1 MiB is cut to ${TEXT_CAPS.evidence} characters, saying so`, async () => {
      const { finding, text } = await stored(longEvidence);
      const expected = 'A'.repeat(TEXT_CAPS.evidence) + TRUNCATION_MARK(1024 * 1024 - TEXT_CAPS.evidence);
      expect(finding.evidence).toBe(expected);
      expect(finding.instances[0]!.evidence).toBe(expected);
      expect(text.length).toBeLessThan(3 * TEXT_CAPS.evidence);
    });
  });

  describe('codec server requests: refused with a status and a reason, nothing decoded or encoded', () => {
    it.for(CODEC_CASES)('%s', async ([, request, status, answer]) => {
      const response = await changesNothing(() => send(codecBase, request));
      expect(response.status, response.body).toBe(status);
      expect(typeof answer === 'string' ? response.body : JSON.parse(response.body)).toEqual(answer);
      expect(response.body).not.toContain('"payloads"');
    });

    it('control: the same server answers a well-formed request', async () => {
      const response = await send(codecBase, { body: JSON.stringify({ payloads: [plain] }) });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body).payloads).toHaveLength(1);
    });
  });

  it('after every case: still only the control scan on this file\'s task queues', async () => {
    const { count } = await client.workflow.count(`TaskQueue = '${queues.control}' OR TaskQueue = '${queues.scanners}'`);
    expect(count).toBe(1);
  });
});

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Every file and directory under `dir`, with its size and modification time. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => {
      const stats = statSync(join(dir, name));
      return `${relative(dir, join(dir, name))} ${stats.size} ${stats.mtimeMs}`;
    })
    .sort();
}

/**
 * One HTTP request with node:http, not fetch: the server answers 413 without reading the
 * rest of a large body, and only the answer matters, not whether the upload finished.
 */
function send(base: string, { method = 'POST', path = '/decode', headers = json, body, chunks }: HttpCase): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${path}`, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    // A write error after the server stopped reading (EPIPE, ECONNRESET) is expected; a request that gets no answer is not.
    request.on('error', (error) => setImmediate(() => reject(error)));
    if (chunks !== undefined) {
      const chunk = Buffer.alloc(MIB, 'A');
      for (let i = 0; i < chunks; i += 1) request.write(chunk);
    } else if (body !== undefined) request.write(body);
    request.end();
  });
}

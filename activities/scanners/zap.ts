import { extname } from 'node:path';
import type { Target } from '../../domain/config';
import { SCAN_EXIT_CODES } from '../../domain/scan-exit-codes';
import type { ScanProfile } from '../../domain/scan-profiles';
import type { EngineRunInput, ScanContainerSpec, WorkDirInput } from './container-spec';
import { namesRegistry } from './image-reference';
import type { ScanOutcome } from './scan-outcome';

/** ZAP's packaged scans (zaproxy.org/docs/docker/): a script per profile, all in the image. */
const SCRIPTS: Record<ScanProfile, string> = {
  baseline: 'zap-baseline.py',
  full: 'zap-full-scan.py',
  api: 'zap-api-scan.py',
};

export const ZAP_WORK_DIR = '/zap/wrk';
export const ZAP_REPORT = 'report.json';
export const ZAP_RULES = 'rules.conf';
/** The context (`-n`) that holds the spider and the active scan to the target: written into the work dir. */
export const ZAP_CONTEXT = 'scope.context';
/** The image's `zap` user. */
const ZAP_UID = 1000;
const GRACE_SECONDS = 120;
const SPIDER_SHARE = 0.25;
/** JVM heap as a share of the container's memory; the rest is the JVM's own and the Python script's. */
const HEAP_SHARE = 0.75;

/** Files the activity puts into the work dir before the run: the scripts read them from /zap/wrk. */
export function zapInputs(target: Target): WorkDirInput[] {
  const inputs: WorkDirInput[] = [{ name: ZAP_CONTEXT, content: scopeContext(target) }];
  if (target.rulesFile) inputs.push({ source: target.rulesFile, name: ZAP_RULES });
  if (target.profile === 'api' && target.apiSpec && !isUrl(target.apiSpec)) {
    inputs.push({ source: target.apiSpec, name: apiSpecName(target.apiSpec) });
  }
  return inputs;
}

export function zapSpec(run: EngineRunInput): ScanContainerSpec {
  const { target } = run;
  const minutes = target.maxScanMinutes;
  const spiderMinutes = Math.max(1, Math.floor(minutes * SPIDER_SHARE));
  const scanTarget = target.profile === 'api' ? apiTarget(target) : ['-t', target.url];
  return {
    image: run.image,
    imageSource: {
      pullable: namesRegistry(run.image),
      howToGet: `\`docker pull ${run.image}\` where a registry is reachable, or \`docker load -i zap.tar\` from a tarball made elsewhere with \`docker save ${run.image}\``,
    },
    cmd: [
      SCRIPTS[target.profile],
      ...scanTarget,
      '-J', ZAP_REPORT,
      ...(target.rulesFile ? ['-c', ZAP_RULES] : []),
      // The scripts pass this context to the spider (contextname) and the active scan
      // (contextid): links and redirects to any other host or port are not followed.
      '-n', ZAP_CONTEXT,
      // zap-api-scan.py has no spider and ignores -m.
      ...(target.profile === 'api' ? [] : ['-m', String(spiderMinutes)]),
      '-T', String(minutes),
      '-z', zapOptions(target, minutes - spiderMinutes).join(' '),
      // Debug output carries what the scan covered: ZAP's version, a passive scan cut short,
      // and each active rule's end state and requests (zap-coverage.ts reads them).
      '-d',
    ],
    workDir: run.workDir,
    containerWorkDir: ZAP_WORK_DIR,
    inputs: zapInputs(target),
    workDirUid: ZAP_UID,
    limits: target.limits,
    labels: run.labels,
    maxSeconds: minutes * 60 + GRACE_SECONDS,
    // ZAP writes its home (/home/zap/.ZAP: add-ons, config, session) besides /tmp and /zap/wrk.
    readonlyRootfs: false,
  };
}

/** Options the scripts pass on to ZAP itself (`-z`). */
function zapOptions(target: Target, activeMinutes: number): string[] {
  return [
    // No update checks, news or add-on downloads: the target is the only host ZAP talks to.
    '-silent',
    // The scripts bind ZAP's key-less API to 0.0.0.0; on the host network that would be
    // every interface of the worker. A later -host wins.
    '-host', '127.0.0.1',
    // zap.sh sizes the heap from the host's /proc/meminfo, not the container's limit.
    `-Xmx${Math.floor(target.limits.memoryMb * HEAP_SHARE)}m`,
    ...(target.profile === 'baseline' ? [] : ['-config', `scanner.maxScanDurationInMins=${Math.max(1, activeMinutes)}`]),
  ];
}

function apiTarget(target: Target): string[] {
  const spec = target.apiSpec ?? target.url;
  if (!isUrl(spec)) return ['-t', apiSpecName(spec), '-f', 'openapi'];
  // A fetched definition comes from the application under test, and ZAP sends a request to
  // every operation of its `servers` while importing it, before any context applies: -O
  // replaces their host and port with the target's, so a definition cannot send the scan elsewhere.
  return ['-t', spec, '-f', 'openapi', '-O', new URL(target.url).host];
}

/**
 * A ZAP context file whose only include is the target's origin (scheme, host and port) and
 * everything under it. The packaged scripts always spider and attack from the host's root
 * (they cut the target URL's path), and ZAP refuses a spider seed outside its context, so
 * the origin is the narrowest scope they can run with. The regex is Java's: \Q…\E quotes
 * the origin; a default port may or may not be spelled in ZAP's URLs.
 */
export function scopeContext(target: Pick<Target, 'url'>): string {
  const url = new URL(target.url);
  const origin = `${url.protocol}//${url.hostname}`;
  const port = url.port ? `:${url.port}` : `(?::${url.protocol === 'https:' ? 443 : 80})?`;
  const include = `\\Q${origin}\\E${port}(?:/.*)?`;
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    '<configuration>',
    '  <context>',
    '    <name>secops-target</name>',
    '    <desc>The scan target\'s origin only (secops-flow)</desc>',
    '    <inscope>true</inscope>',
    `    <incregexes>${escapeXml(include)}</incregexes>`,
    '  </context>',
    '</configuration>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function apiSpecName(file: string): string {
  return `openapi${extname(file) || '.json'}`;
}

function isUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/** The packaged scans' exit codes: 0-2 say what the report holds, only 3 means no report. */
export function zapOutcome(exitCode: number): ScanOutcome {
  const reported: number[] = [SCAN_EXIT_CODES.pass, SCAN_EXIT_CODES.fail, SCAN_EXIT_CODES.warn];
  return { outcome: reported.includes(exitCode) ? 'completed' : 'error' };
}

import type { EngineRunInput, ScanContainerSpec } from './container-spec';
import { namesRegistry } from './image-reference';
import type { ScanOutcome } from './scan-outcome';
import { wapitiEndpoint, wapitiModules } from './wapiti-modules';

/** Wapiti 3.0.4 as Debian bookworm packages it (scanners/wapiti/); its modules per profile: wapiti-modules.ts. */
export const WAPITI_WORK_DIR = '/wrk';
export const WAPITI_REPORT = 'report.json';
/** The image's own user (build.sh, Dockerfile), used when the worker itself is root. */
const IMAGE_UID = 10001;
/** Time after the scan budget for start-up and writing the report before the container is killed. */
const GRACE_SECONDS = 60;
/** Share of the budget for crawling; the rest is split between the attack modules. */
const CRAWL_SHARE = 0.25;

export function wapitiSpec(run: EngineRunInput): ScanContainerSpec {
  const modules = wapitiModules(run.target);
  const budget = run.target.maxScanMinutes * 60;
  // 3.0.4's --max-scan-time bounds the crawl only and --max-attack-time each module: split
  // the budget so that crawl plus every module fits in it.
  const crawlSeconds = Math.max(1, Math.floor(budget * CRAWL_SHARE));
  const attackSeconds = Math.max(1, Math.floor((budget - crawlSeconds) / modules.length));
  const asWorker = run.hostUser.uid !== 0;
  return {
    image: run.image,
    imageSource: {
      pullable: namesRegistry(run.image),
      howToGet: `build it: \`secops scanners build\` (or \`bash scanners/wapiti/build.sh ${run.image}\`)`,
    },
    cmd: [
      '-u', run.target.url,
      // What the crawler follows, links and redirects alike: URLs that start with the start
      // URL's folder, scheme, host and port included. Not `domain`: 3.0.4 compares registered
      // domains (all of *.example.com), and for an IP address the host without its port, so
      // every other service on the target host (Temporal on 127.0.0.1:7233 beside a loopback
      // target) would be in scope.
      '--scope', 'folder',
      '-m', modules.join(','),
      '--endpoint', wapitiEndpoint(run.target),
      '-f', 'json',
      '-o', `${WAPITI_WORK_DIR}/${WAPITI_REPORT}`,
      '--flush-session',
      // Session database on the tmpfs; /etc/wapiti holds the empty Wappalyzer database that
      // stops a download from GitHub at start-up (see build.sh).
      '--store-session', '/tmp/wapiti',
      '--store-config', '/etc/wapiti',
      '--max-scan-time', String(crawlSeconds),
      '--max-attack-time', String(attackSeconds),
      // Otherwise a crashing module posts a report to the Wapiti project's server.
      '--no-bugreport',
      // One line per URL crawled and attacked: the heartbeat's progress.
      '-v', '1',
    ],
    // Python buffers a pipe in 8 KiB blocks: without this the log arrives when the scan ends.
    env: { PYTHONUNBUFFERED: '1' },
    workDir: run.workDir,
    containerWorkDir: WAPITI_WORK_DIR,
    workDirUid: asWorker ? run.hostUser.uid : IMAGE_UID,
    user: asWorker ? `${run.hostUser.uid}:${run.hostUser.gid}` : `${IMAGE_UID}:${IMAGE_UID}`,
    limits: run.target.limits,
    labels: run.labels,
    maxSeconds: budget + GRACE_SECONDS,
    readonlyRootfs: true,
  };
}

/** Wapiti exits 0 when it wrote its report, whatever it found; anything else is a failure. */
export function wapitiOutcome(exitCode: number): ScanOutcome {
  return { outcome: exitCode === 0 ? 'completed' : 'error' };
}

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { startProcess, type ManagedProcess } from '../../processes/child-process';
import { waitUntil } from '../../processes/wait-until';
import { freePort } from './ports';

/**
 * A real Prometheus and Alertmanager (Debian's `prometheus` and `prometheus-alertmanager`,
 * installed by scripts/setup.sh --test) for tests in which a rule fires and Alertmanager
 * posts its webhook, exactly as a team's monitoring would.
 */

/** One Prometheus alerting rule; `name` becomes the `alertname` label. */
export interface AlertRule {
  name: string;
  /** PromQL; the rule fires while it returns a sample. */
  expr: string;
  /** How long `expr` must hold before the alert fires (`0s`, `2s`); firing at once by default. */
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface AlertingStackOptions {
  /** Where Alertmanager posts its webhook (`webhook_configs[].url`). */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer <token>` (`http_config.authorization.credentials`). */
  bearerToken: string;
  rules: AlertRule[];
  /** Labels an alert group is made of; `['alertname']` by default. */
  groupBy?: string[];
  /** Alertmanager durations (`1s`, `5m`): short defaults so a test sees the first post within seconds. */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  /** Whether resolved alerts are posted too (Alertmanager's default: true). */
  sendResolved?: boolean;
}

export interface AlertingStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** The last lines both processes logged, to put into a failing test's message. */
  logTail(lines?: number): string;
  /** Stops and starts Alertmanager on the same port and storage, so its notification log survives. */
  restartAlertmanager(): Promise<void>;
  stop(): Promise<void>;
}

/** A rule that fires on the first evaluation and keeps firing: `vector(1)` always has a sample. */
export function firingRule(overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    name: 'DemoServiceDown',
    expr: 'vector(1)',
    labels: { severity: 'critical', service: 'demo' },
    annotations: { summary: 'demo service is down', runbook: 'incident-response' },
    ...overrides,
  };
}

/** A Prometheus rules file (`rule_files:`) holding `rules` in one group. */
export function alertRulesFile(rules: AlertRule[]): string {
  return stringify({
    groups: [{
      name: 'secops-flow-tests',
      rules: rules.map((rule) => ({
        alert: rule.name,
        expr: rule.expr,
        ...(rule.for === undefined ? {} : { for: rule.for }),
        ...(rule.labels === undefined ? {} : { labels: rule.labels }),
        ...(rule.annotations === undefined ? {} : { annotations: rule.annotations }),
      })),
    }],
  });
}

// Debian names the Alertmanager binary prometheus-alertmanager; upstream tarballs say alertmanager.
const BINARY_NAMES = {
  prometheus: ['prometheus'],
  promtool: ['promtool'],
  alertmanager: ['alertmanager', 'prometheus-alertmanager'],
  amtool: ['amtool'],
} as const;
type Binary = keyof typeof BINARY_NAMES;
// PATH can lack /usr/bin in a trimmed test environment, where Debian's packages put them all.
const DEBIAN_BIN = '/usr/bin';

function findBinary(names: readonly string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), DEBIAN_BIN];
  for (const name of names) {
    const found = dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
    if (found) return found;
  }
  return undefined;
}

export function alertingBinaries(): Record<Binary, string> {
  const found = Object.fromEntries(Object.entries(BINARY_NAMES).map(([binary, names]) => [binary, findBinary(names)]));
  const missing = Object.entries(BINARY_NAMES).filter(([binary]) => !found[binary]).map(([, names]) => names.join(' or '));
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not found on PATH or in ${DEBIAN_BIN}; run: scripts/setup.sh --test (installs Debian's prometheus and prometheus-alertmanager)`);
  }
  return found as Record<Binary, string>;
}

const runFile = promisify(execFile);

/** A config the real tool refuses fails here, with the tool's own words, not as a process that never gets ready. */
async function check(tool: string, args: string[]): Promise<void> {
  try {
    await runFile(tool, args, { timeout: 30_000 });
  } catch (error) {
    const { stdout = '', stderr = '', message } = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${basename(tool)} ${args.join(' ')} failed:\n${`${stdout}${stderr}`.trim() || message}`);
  }
}

const LOG_LINES_KEPT = 400;
const READY_TIMEOUT_MS = 30_000;

async function ready(name: string, url: string, child: ManagedProcess): Promise<void> {
  await waitUntil(`${name} at ${url}`, async () => (await fetch(`${url}/-/ready`)).ok, READY_TIMEOUT_MS, child.exited);
}

/** Starts Alertmanager, then Prometheus pointed at it, on 127.0.0.1 ports of this test file's own. */
export async function startAlertingStack(options: AlertingStackOptions): Promise<AlertingStack> {
  const bin = alertingBinaries();
  // mkdtemp makes the directory 0700: the bearer token in alertmanager.yml stays ours.
  const dir = await mkdtemp(join(tmpdir(), 'secops-alerting-'));
  const files = {
    rules: join(dir, 'rules.yml'),
    prometheus: join(dir, 'prometheus.yml'),
    alertmanager: join(dir, 'alertmanager.yml'),
  };
  const [prometheusPort, alertmanagerPort] = [await freePort(), await freePort()];
  const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
  const alertmanagerUrl = `http://127.0.0.1:${alertmanagerPort}`;

  await writeFile(files.rules, alertRulesFile(options.rules));
  await writeFile(files.prometheus, stringify({
    // Evaluated every second so a rule fires within a second of Prometheus being ready.
    global: { evaluation_interval: '1s' },
    rule_files: [files.rules],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }] },
  }));
  await writeFile(files.alertmanager, stringify({
    route: {
      receiver: 'webhook',
      group_by: options.groupBy ?? ['alertname'],
      group_wait: options.groupWait ?? '1s',
      group_interval: options.groupInterval ?? '1s',
      repeat_interval: options.repeatInterval ?? '5s',
    },
    receivers: [{
      name: 'webhook',
      webhook_configs: [{
        url: options.webhookUrl,
        send_resolved: options.sendResolved ?? true,
        http_config: { authorization: { type: 'Bearer', credentials: options.bearerToken } },
      }],
    }],
  }), { mode: 0o600 });

  try {
    await check(bin.promtool, ['check', 'rules', files.rules]);
    await check(bin.promtool, ['check', 'config', files.prometheus]);
    await check(bin.amtool, ['check-config', files.alertmanager]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const log: string[] = [];
  const record = (line: string) => {
    log.push(line);
    if (log.length > LOG_LINES_KEPT) log.shift();
  };
  const logTail = (lines = 30) => log.slice(-lines).join('\n');

  const launchAlertmanager = () => startProcess('alertmanager', bin.alertmanager, [
    `--config.file=${files.alertmanager}`,
    // Its own notification log and silences, not Debian's /var/lib/prometheus/alertmanager.
    `--storage.path=${join(dir, 'alertmanager-data')}`,
    `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
    // Also the `externalURL` of every webhook: loopback rather than this machine's host name.
    `--web.external-url=${alertmanagerUrl}`,
    // Empty: no gossip. Otherwise Alertmanager listens on 0.0.0.0:9094, which collides between
    // stacks running side by side and waits for peers before its first notification.
    '--cluster.listen-address=',
  ], { log: record });
  const launchPrometheus = () => startProcess('prometheus', bin.prometheus, [
    `--config.file=${files.prometheus}`,
    `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
    `--web.listen-address=127.0.0.1:${prometheusPort}`,
    // The `generatorURL` of every alert.
    `--web.external-url=${prometheusUrl}`,
    // An alert sent before the notifier has discovered Alertmanager is dropped, and resent only
    // after this delay (1 m by default): 1 s keeps the first webhook within seconds.
    '--rules.alert.resend-delay=1s',
  ], { log: record });

  let alertmanager: ManagedProcess | undefined;
  let prometheus: ManagedProcess | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([prometheus?.stop(5_000), alertmanager?.stop(5_000)]);
    await rm(dir, { recursive: true, force: true });
  };
  const failWithLog = async (error: unknown): Promise<never> => {
    await stop();
    throw new Error(`${(error as Error).message}\n${logTail()}`);
  };

  try {
    // Alertmanager first, so Prometheus finds it answering from its first evaluation.
    alertmanager = launchAlertmanager();
    await ready('Alertmanager', alertmanagerUrl, alertmanager);
    prometheus = launchPrometheus();
    await ready('Prometheus', prometheusUrl, prometheus);
    // Prometheus learns of Alertmanager through service discovery, which reports at most every
    // 5 s: alerts it fires before then are dropped. Ready means an alert that fires now is posted.
    await waitUntil(`Prometheus at ${prometheusUrl} discovering Alertmanager`, async () => {
      const answer = (await (await fetch(`${prometheusUrl}/api/v1/alertmanagers`)).json()) as { data?: { activeAlertmanagers?: { url: string }[] } };
      return answer.data?.activeAlertmanagers?.some(({ url }) => url.startsWith(alertmanagerUrl)) ?? false;
    }, READY_TIMEOUT_MS, prometheus.exited);
  } catch (error) {
    return failWithLog(error);
  }

  return {
    prometheusUrl,
    alertmanagerUrl,
    logTail,
    async restartAlertmanager() {
      await alertmanager?.stop(5_000);
      alertmanager = launchAlertmanager();
      await ready('Alertmanager (restarted)', alertmanagerUrl, alertmanager).catch(failWithLog);
    },
    stop,
  };
}

import { describe, expect, it } from 'vitest';
import { containerCreateOptions, deploymentLabel, type EngineRunInput } from '../../activities/scanners/container-spec';
import { namesRegistry } from '../../activities/scanners/image-reference';
import { scanOutcome } from '../../activities/scanners/scan-outcome';
import { wapitiSpec } from '../../activities/scanners/wapiti';
import { WAPITI_MODULES } from '../../activities/scanners/wapiti-modules';
import { scopeContext, zapInputs, zapSpec } from '../../activities/scanners/zap';
import { DEFAULT_SCANNER_IMAGES, parseConfig, type Target } from '../../domain/config';

/**
 * A target as the config parses it. Active profiles are set after parsing: in the config they
 * need an approval policy, whose shape is no concern of the container specs.
 */
function target(yaml: string, active: Partial<Pick<Target, 'profile' | 'apiSpec'>> = {}): Target {
  const config = parseConfig(`version: 1\ntargets:\n  - id: shop\n    url: http://127.0.0.1:8080/app/\n    scope: { hosts: [127.0.0.1] }\n${yaml}`);
  return { ...config.targets[0]!, ...active };
}

function run(t: Target, engine: 'zap' | 'wapiti', uid = 1000): EngineRunInput {
  return {
    target: t,
    image: DEFAULT_SCANNER_IMAGES[engine],
    workDir: '/srv/artifacts/shop/scan-1/wapiti',
    labels: { deployment: '127.0.0.1:7233/default/secops-scanners', workflowId: 'scan-1', runId: 'run-1', activityId: '7' },
    hostUser: { uid, gid: uid + 1 },
  };
}

/** The value after a flag in a command line. */
function flag(cmd: string[], name: string): string | undefined {
  const at = cmd.indexOf(name);
  return at < 0 ? undefined : cmd[at + 1];
}

describe('containerCreateOptions', () => {
  const spec = wapitiSpec(run(target('    engine: wapiti\n    limits: { memoryMb: 1024, cpus: 1.5, pids: 256 }\n'), 'wapiti'));
  const options = containerCreateOptions(spec);

  it('applies every hardening setting', () => {
    expect(options.HostConfig).toMatchObject({
      NetworkMode: 'host',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,noexec,nosuid,size=256m' },
      AutoRemove: false,
    });
  });

  it('joins the network it is given and pins the checked addresses into /etc/hosts', () => {
    const pinned = containerCreateOptions(spec, { mode: 'secops-flow_scanners', extraHosts: ['shop.example.test:10.0.0.5', 'shop.example.test:fd12::5'] });
    expect(pinned.HostConfig).toMatchObject({ NetworkMode: 'secops-flow_scanners', ExtraHosts: ['shop.example.test:10.0.0.5', 'shop.example.test:fd12::5'] });
    expect(options.HostConfig).toMatchObject({ NetworkMode: 'host', ExtraHosts: [] });
  });

  it('turns the target limits into engine units', () => {
    expect(options.HostConfig).toMatchObject({ Memory: 1024 * 1024 * 1024, MemorySwap: 1024 * 1024 * 1024, NanoCpus: 1_500_000_000, PidsLimit: 256 });
  });

  it('mounts only the work dir, read-write', () => {
    expect(options.HostConfig?.Binds).toEqual(['/srv/artifacts/shop/scan-1/wapiti:/wrk:rw']);
    expect(options.WorkingDir).toBe('/wrk');
  });

  it('labels the container with the deployment and the activity that own it', () => {
    expect(options.Labels).toEqual({
      'secops.managed': 'true',
      'secops.deployment': '127.0.0.1:7233/default/secops-scanners',
      'secops.workflow-id': 'scan-1',
      'secops.run-id': 'run-1',
      'secops.activity-id': '7',
    });
  });

  it('keeps the root writable only when the engine asks', () => {
    const zap = containerCreateOptions(zapSpec(run(target(''), 'zap')));
    expect(zap.HostConfig?.ReadonlyRootfs).toBe(false);
    expect(zap.HostConfig?.CapDrop).toEqual(['ALL']);
    expect(zap.User).toBeUndefined();
  });
});

describe('deploymentLabel', () => {
  const base = { temporalAddress: 'temporal.corp:7233', namespace: 'security', taskQueue: 'secops-scanners' };

  it('names the Temporal service, the namespace and the scanner task queue', () => {
    expect(deploymentLabel(base)).toBe('temporal.corp:7233/security/secops-scanners');
  });

  it('differs when any of the three differs, so deployments sharing an engine never share a label', () => {
    const variants = [
      base,
      { ...base, temporalAddress: '127.0.0.1:7233' },
      { ...base, namespace: 'default' },
      { ...base, taskQueue: 'test-scanners-1234' },
    ];
    expect(new Set(variants.map(deploymentLabel)).size).toBe(variants.length);
  });
});

describe('wapitiSpec', () => {
  it('scans the target folder only, non-interactively, into /wrk/report.json', () => {
    const spec = wapitiSpec(run(target('    engine: wapiti\n    maxScanMinutes: 10\n'), 'wapiti'));
    expect(spec.image).toBe('secops-flow/wapiti:latest');
    expect(flag(spec.cmd, '-u')).toBe('http://127.0.0.1:8080/app/');
    // Not `domain`: for an IP address Wapiti 3.0.4 compares the host without its port.
    expect(flag(spec.cmd, '--scope')).toBe('folder');
    expect(flag(spec.cmd, '-f')).toBe('json');
    expect(flag(spec.cmd, '-o')).toBe('/wrk/report.json');
    expect(flag(spec.cmd, '-m')).toBe(WAPITI_MODULES.baseline.join(','));
    expect(spec.cmd).toEqual(expect.arrayContaining(['--flush-session', '--no-bugreport']));
    expect(flag(spec.cmd, '--store-config')).toBe('/etc/wapiti');
    expect(containerCreateOptions(spec).Env).toEqual(['PYTHONUNBUFFERED=1']);
  });

  it('splits the time budget between the crawl and each module, and kills a minute later', () => {
    const spec = wapitiSpec(run(target('    engine: wapiti\n    maxScanMinutes: 10\n'), 'wapiti'));
    const crawl = Number(flag(spec.cmd, '--max-scan-time'));
    const perModule = Number(flag(spec.cmd, '--max-attack-time'));
    expect(crawl).toBe(150);
    expect(crawl + perModule * WAPITI_MODULES.baseline.length).toBeLessThanOrEqual(600);
    expect(spec.maxSeconds).toBe(660);
  });

  it('uses the modules the target names', () => {
    const spec = wapitiSpec(run(target('    engine: wapiti\n    wapitiModules: [blindsql, csp]\n'), 'wapiti'));
    expect(flag(spec.cmd, '-m')).toBe('blindsql,csp');
  });

  it('runs as the worker, or as the image user when the worker is root', () => {
    const t = target('    engine: wapiti\n');
    expect(wapitiSpec(run(t, 'wapiti', 1500))).toMatchObject({ user: '1500:1501', workDirUid: 1500 });
    expect(wapitiSpec(run(t, 'wapiti', 0))).toMatchObject({ user: '10001:10001', workDirUid: 10001 });
  });

  it('never pulls the locally built image, and says how to build it', () => {
    const spec = wapitiSpec(run(target('    engine: wapiti\n'), 'wapiti'));
    expect(spec.imageSource.pullable).toBe(false);
    expect(spec.imageSource.howToGet).toContain('secops scanners build');
    expect(spec.imageSource.howToGet).toContain('scanners/wapiti/build.sh');
  });
});

describe('zapSpec', () => {
  it('runs the packaged script of the profile', () => {
    expect(zapSpec(run(target(''), 'zap')).cmd[0]).toBe('zap-baseline.py');
    expect(zapSpec(run(target('', { profile: 'full' }), 'zap')).cmd[0]).toBe('zap-full-scan.py');
    expect(zapSpec(run(target('', { profile: 'api', apiSpec: 'http://127.0.0.1:8080/openapi.json' }), 'zap')).cmd[0]).toBe('zap-api-scan.py');
  });

  it('passes target, JSON report, spider minutes and the time limit', () => {
    const spec = zapSpec(run(target('    maxScanMinutes: 20\n'), 'zap'));
    expect(flag(spec.cmd, '-t')).toBe('http://127.0.0.1:8080/app/');
    expect(flag(spec.cmd, '-J')).toBe('report.json');
    expect(flag(spec.cmd, '-m')).toBe('5');
    expect(flag(spec.cmd, '-T')).toBe('20');
    expect(flag(spec.cmd, '-c')).toBeUndefined();
    expect(spec).toMatchObject({ containerWorkDir: '/zap/wrk', workDirUid: 1000, maxSeconds: 20 * 60 + 120 });
  });

  it('keeps ZAP quiet, on loopback, and inside the container memory', () => {
    const options = flag(zapSpec(run(target('    limits: { memoryMb: 2048 }\n'), 'zap')).cmd, '-z');
    expect(options?.split(' ')).toEqual(['-silent', '-host', '127.0.0.1', '-Xmx1536m']);
    const full = flag(zapSpec(run(target('    maxScanMinutes: 20\n', { profile: 'full' }), 'zap')).cmd, '-z');
    expect(full).toContain('-config scanner.maxScanDurationInMins=15');
  });

  it('copies the rules file into the work dir and points -c at it', () => {
    const t = target('    rulesFile: ./rules/shop.tsv\n');
    expect(flag(zapSpec(run(t, 'zap')).cmd, '-c')).toBe('rules.conf');
    expect(zapInputs(t)).toContainEqual({ source: './rules/shop.tsv', name: 'rules.conf' });
  });

  it('holds every profile\'s spider and active scan to a context of the target\'s origin', () => {
    for (const profile of [{}, { profile: 'full' }, { profile: 'api', apiSpec: './specs/shop.yaml' }] as const) {
      const t = target('', profile);
      const spec = zapSpec(run(t, 'zap'));
      expect(flag(spec.cmd, '-n'), t.profile).toBe('scope.context');
      expect(spec.inputs, t.profile).toContainEqual({ name: 'scope.context', content: scopeContext(t) });
    }
  });

  it('writes a context whose only include is the origin, spelled so that no other host or port matches', () => {
    const include = (url: string) => new RegExp(`^${/<incregexes>(.*)<\/incregexes>/.exec(scopeContext({ url }))![1]!.replace(/\\Q(.*?)\\E/g, (_m, quoted: string) => quoted.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))}$`);
    const loopback = include('http://127.0.0.1:8080/app/');
    for (const inside of ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/', 'http://127.0.0.1:8080/app/x?y=1', 'http://127.0.0.1:8080/other']) expect(loopback.test(inside), inside).toBe(true);
    for (const outside of ['http://127.0.0.1:7233/', 'http://127.0.0.1:80801/', 'http://127.0.0.1/', 'https://127.0.0.1:8080/', 'http://127.0.0.1.evil.test:8080/', 'http://127x0x0x1:8080/', 'http://169.254.169.254/']) expect(loopback.test(outside), outside).toBe(false);
    const https = include('https://shop.example.test/');
    for (const inside of ['https://shop.example.test/', 'https://shop.example.test:443/a']) expect(https.test(inside), inside).toBe(true);
    for (const outside of ['https://shop.example.test:8443/', 'https://shop.example.test.evil.test/', 'https://shopXexample.test/']) expect(https.test(outside), outside).toBe(false);
  });

  it('imports an OpenAPI file copied into the work dir, or a URL as is', () => {
    const file = target('', { profile: 'api', apiSpec: './specs/shop.yaml' });
    const spec = zapSpec(run(file, 'zap'));
    expect(flag(spec.cmd, '-t')).toBe('openapi.yaml');
    expect(flag(spec.cmd, '-f')).toBe('openapi');
    expect(flag(spec.cmd, '-m')).toBeUndefined();
    expect(spec.inputs).toContainEqual({ source: './specs/shop.yaml', name: 'openapi.yaml' });
    expect(flag(spec.cmd, '-O')).toBeUndefined();
    const url = zapSpec(run(target('', { profile: 'api', apiSpec: 'http://127.0.0.1:8080/openapi.json' }), 'zap'));
    expect(flag(url.cmd, '-t')).toBe('http://127.0.0.1:8080/openapi.json');
    expect(url.inputs?.map((input) => input.name)).toEqual(['scope.context']);
  });

  it('points a fetched API definition\'s operations at the target\'s host and port (-O)', () => {
    const url = zapSpec(run(target('', { profile: 'api', apiSpec: 'http://127.0.0.1:8080/openapi.json' }), 'zap'));
    expect(flag(url.cmd, '-O')).toBe('127.0.0.1:8080');
  });

  it('pulls the registry image, or says how to load it', () => {
    const spec = zapSpec(run(target(''), 'zap'));
    expect(spec.imageSource.pullable).toBe(true);
    expect(spec.imageSource.howToGet).toContain('docker pull ghcr.io/zaproxy/zaproxy:stable');
    expect(spec.imageSource.howToGet).toContain('docker load');
  });
});

describe('scanOutcome', () => {
  it('treats ZAP pass, fail and warn as a report, 3 and signals as errors', () => {
    expect([0, 1, 2, 3, 137].map((code) => scanOutcome('zap', code).outcome)).toEqual(['completed', 'completed', 'completed', 'error', 'error']);
  });

  it('treats any non-zero Wapiti exit as an error', () => {
    expect([0, 1, 2, 137].map((code) => scanOutcome('wapiti', code).outcome)).toEqual(['completed', 'error', 'error', 'error']);
  });
});

describe('namesRegistry', () => {
  it('pulls only references that name their registry', () => {
    expect(['ghcr.io/zaproxy/zaproxy:stable', 'localhost:5000/wapiti', 'registry.corp:443/x/y'].map(namesRegistry)).toEqual([true, true, true]);
    expect(['secops-flow/wapiti:latest', 'wapiti', 'library/debian:bookworm'].map(namesRegistry)).toEqual([false, false, false]);
  });
});

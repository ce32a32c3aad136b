import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENVIRONMENT_VARIABLES } from '../../domain/environment';
import { WORKER_ROLES } from '../../domain/task-queues';

/** Images cannot be pulled here, so the compose stack is checked against the code instead of started. */
interface Service {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: string[] | Record<string, unknown>;
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
const services = Object.entries(compose.services);
const ours = services.filter(([, s]) => s.build);
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PWD|API_KEY|DATABASE_URL|KEYS)$/;

function dockerfileOf(build: NonNullable<Service['build']>): string {
  return typeof build === 'string' ? `${build}/Dockerfile` : `${build.context}/${build.dockerfile ?? 'Dockerfile'}`;
}

function environmentOf(service: Service): Record<string, string> {
  return service.environment ?? {};
}

describe('docker-compose.yml', () => {
  const thirdParty = services.filter(([, s]) => !s.build);

  it('builds our services from an existing Dockerfile and pins every other image to a version', () => {
    expect(ours.map(([name]) => name).sort()).toEqual(['codec-server', 'slack-app', 'worker-control', 'worker-scanners']);
    for (const [name, service] of ours) expect(existsSync(dockerfileOf(service.build!)), `${name}: ${dockerfileOf(service.build!)}`).toBe(true);
    expect(thirdParty.map(([name]) => name).sort()).toEqual(['postgresql', 'temporal', 'temporal-ui']);
    for (const [name, service] of thirdParty) expect(service.image, name).toMatch(/^[\w./-]+:(?!latest$)[\w.-]+$/);
  });

  it('starts our services from compiled entry points that exist in the source, each worker with its own role', () => {
    const roleOf: Record<string, string | undefined> = { 'worker-control': 'control', 'worker-scanners': 'scanners' };
    for (const [name, service] of ours) {
      const [entry, ...args] = service.command ?? [];
      expect(entry, name).toMatch(/^dist\/.+\.js$/);
      expect(existsSync(entry!.replace(/^dist\//, '').replace(/\.js$/, '.ts')), `${name}: source of ${entry}`).toBe(true);
      const roleFlag = args.indexOf('--role');
      expect(roleFlag === -1 ? undefined : args[roleFlag + 1], `${name} --role`).toBe(roleOf[name]);
    }
    expect(Object.values(roleOf).sort()).toEqual([...WORKER_ROLES].sort());
  });

  it('sets only environment variables the code reads, and points them at services that exist', () => {
    for (const [name, service] of ours) {
      for (const key of Object.keys(environmentOf(service))) expect(ENVIRONMENT_VARIABLES, `${name}: ${key}`).toContain(key);
    }
    // The codec server only decrypts: it talks to neither Temporal nor the store.
    const withTemporal = ours.filter(([, s]) => environmentOf(s).TEMPORAL_ADDRESS !== undefined);
    expect(withTemporal.map(([name]) => name).sort()).toEqual(['slack-app', 'worker-control', 'worker-scanners']);
    for (const [name, service] of withTemporal) expect(environmentOf(service).TEMPORAL_ADDRESS, name).toBe('temporal:7233');
    const withStore = ours.filter(([, s]) => environmentOf(s).DATABASE_URL !== undefined);
    expect(withStore.map(([name]) => name).sort()).toEqual(['slack-app', 'worker-control']);
    for (const [name, service] of withStore) {
      const url = new URL(environmentOf(service).DATABASE_URL!.replace(/\$\{[^}]*\}/g, 'x'));
      expect(compose.services, `${name}: DATABASE_URL host`).toHaveProperty(url.hostname);
    }
  });

  it('never writes a secret value, only ${VARIABLE} references', () => {
    const secrets = services.flatMap(([name, service]) =>
      Object.entries(environmentOf(service)).filter(([key]) => SECRET_NAME.test(key)).map(([key, value]) => ({ where: `${name}: ${key}`, key, value })),
    );
    expect(new Set(secrets.map((s) => s.key))).toEqual(new Set(['POSTGRES_PASSWORD', 'POSTGRES_PWD', 'DATABASE_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SECOPS_CODEC_KEYS', 'SECOPS_CODEC_SERVER_TOKEN']));
    for (const { where, value } of secrets) expect(String(value), where).toMatch(/\$\{[A-Z_]+(:[-?][^}]*)?\}/);
  });

  it('names only services that exist in depends_on', () => {
    for (const [name, service] of services) {
      const deps = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(compose.services, `${name} depends on ${dep}`).toHaveProperty(dep);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('is multi-stage and its runtime stage runs as a non-root user without dev dependencies', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^USER (?!root\b|0\b)\S+$/m);
    expect(runtime).not.toMatch(/npm (install|ci)/);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
  });

  it('copies every source folder the build config compiles', () => {
    const build = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { include: string[] };
    for (const folder of build.include) expect(dockerfile, folder).toMatch(new RegExp(`^COPY ${folder} \\./${folder}$`, 'm'));
  });
});

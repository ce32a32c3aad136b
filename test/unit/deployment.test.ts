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

describe('docker-compose.yml', () => {
  it('gives every service an image or a build with an existing Dockerfile', () => {
    for (const [name, service] of services) {
      expect(service.image ?? service.build, name).toBeTruthy();
      if (service.build) {
        const context = typeof service.build === 'string' ? service.build : service.build.context;
        const dockerfile = typeof service.build === 'string' ? 'Dockerfile' : service.build.dockerfile ?? 'Dockerfile';
        expect(existsSync(`${context}/${dockerfile}`), `${name}: ${context}/${dockerfile}`).toBe(true);
      }
    }
    expect(ours.map(([name]) => name).sort()).toEqual(['codec-server', 'slack-app', 'worker-control', 'worker-scanners']);
  });

  it('starts our services from compiled entry points that exist in the source, with valid roles', () => {
    for (const [name, service] of ours) {
      const [entry, ...args] = service.command ?? [];
      expect(entry, name).toMatch(/^dist\/.+\.js$/);
      expect(existsSync(entry!.replace(/^dist\//, '').replace(/\.js$/, '.ts')), `${name}: source of ${entry}`).toBe(true);
      const role = args[args.indexOf('--role') + 1];
      if (args.includes('--role')) expect(WORKER_ROLES, name).toContain(role);
    }
  });

  it('sets only environment variables the code reads, and points them at services that exist', () => {
    for (const [name, service] of ours) {
      const env = service.environment ?? {};
      for (const key of Object.keys(env)) expect(ENVIRONMENT_VARIABLES, `${name}: ${key}`).toContain(key);
      if (name !== 'codec-server') expect(env.TEMPORAL_ADDRESS?.split(':')[0], name).toBe('temporal');
      if (env.DATABASE_URL) expect(compose.services).toHaveProperty(new URL(env.DATABASE_URL.replace(/\$\{[^}]*\}/g, 'x')).hostname);
    }
  });

  it('never writes a secret value, only ${VARIABLE} references', () => {
    for (const [name, service] of services) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (SECRET_NAME.test(key)) expect(String(value), `${name}: ${key}`).toMatch(/\$\{[A-Z_]+(:[-?][^}]*)?\}/);
      }
    }
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

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { waitUntil } from '../../processes/wait-until';
import { getIncident, incidentTimeline, listIncidents } from '../../store/incidents';
import { migrate } from '../../store/migrations';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { runEntry } from '../support/run-cli';
import { testCliUser, testKeyPem } from '../support/test-ballots';
import { startWorkers, type RunningWorkers } from '../support/workers';

/**
 * `secops playbooks` and `secops incident` as a user runs them, against real workers and
 * PostgreSQL: bad input exits 2 and starts nothing; a drill is opened, followed, steered by
 * signed acts (refused ones exit 1) and resolved, then shown from the store.
 */
describe('secops incident', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secops-cli-incident-'));
  let fresh: FreshDatabase;
  let workers: RunningWorkers;
  let release: () => void;
  let running: Promise<void>;
  let incidentId: string;

  function writeConfig(name: string, extra: Record<string, unknown>): string {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, JSON.stringify({ version: 1, taskQueues: workers.taskQueues, ...extra }));
    return path;
  }
  let configs: Record<'good' | 'noPolicy' | 'notAllowed', string>;
  const as = (user: string, config = configs.good) => ({
    SECOPS_CONFIG: config, TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: fresh.url, SECOPS_USER: user, SECOPS_BALLOT_KEY: testKeyPem(user), XDG_CONFIG_HOME: dir,
  });
  const secops = (args: string[], env = as('alice')) => runEntry(['secops', ...args], env);

  async function runsOnQueue(): Promise<string[]> {
    const ids: string[] = [];
    for await (const run of workers.client.workflow.list({ query: `TaskQueue = '${workers.taskQueues.control}' AND WorkflowId STARTS_WITH 'incident:'` })) ids.push(run.workflowId);
    return ids;
  }

  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
    workers = await startWorkers(createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: undefined, incidentArtifactsDir: join(dir, 'incidents') }), ['control']);
    running = workers.during(() => new Promise<void>((resolve) => (release = resolve)));
    const approvals = { 'incident.drill': { approvers: { cliUsers: [testCliUser('alice'), testCliUser('bob')] } } };
    configs = {
      good: writeConfig('good', { approvals }),
      noPolicy: writeConfig('no-policy', {}),
      notAllowed: writeConfig('not-allowed', { approvals, authorization: { 'incident.start': { cliUsers: ['bob'] } } }),
    };
  });

  afterAll(async () => {
    release?.();
    await running;
    await fresh?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the playbooks and shows one\'s input schema', async () => {
    const list = await secops(['playbooks', 'list']);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toMatch(/^drill\s+Incident drill\s+SEV4\s+incident\.drill$/m);
    expect(list.stdout).toMatch(/^suspicious-container\s+Suspicious container\s+SEV2\s+containment\.isolate, containment\.stop$/m);

    const show = await secops(['playbooks', 'show', 'drill']);
    expect(show).toMatchObject({ code: 0, stderr: '' });
    const schema = JSON.parse(show.stdout.slice(show.stdout.indexOf('{'))) as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual(['steps', 'stepDelaySeconds']);
    expect(schema.additionalProperties).toBe(false);
    expect(await secops(['playbooks', 'show', 'nope'])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/<playbook>: unknown playbook nope; known: .*\bdrill\b/) });
  });

  it('refuses bad input with exit 2 and the reason, starting nothing', { timeout: 120_000 }, async () => {
    const refused = await Promise.all([
      secops(['incident', 'start', 'nope']),
      secops(['incident', 'start', 'drill', '--input', '{"steps":-1}']),
      secops(['incident', 'start', 'drill', '--input', '{"steps":1,"extra":true}']),
      secops(['incident', 'start', 'drill', '--input', '{steps:1}']),
      secops(['incident', 'start', 'drill', '--severity', 'SEV9', '--title', ' ']),
      secops(['incident', 'start', 'drill'], as('alice', configs.noPolicy)),
    ]);
    const notAllowed = await secops(['incident', 'start', 'drill'], as('alice', configs.notAllowed));
    for (const result of refused) expect(result).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^error: secops incident start is invalid:\n/) });
    const [unknown, outOfRange, extra, json, options, noPolicy] = refused.map((r) => r.stderr);
    expect(unknown).toMatch(/ {2}- playbook: unknown playbook nope; known: .*\bdrill\b/);
    expect(outOfRange).toMatch(/ {2}- input\.steps: .*>=0/);
    expect(extra).toMatch(/ {2}- input: Unrecognized key.*"extra"/);
    expect(json).toMatch(/ {2}- --input: is not valid JSON \(/);
    expect(options).toContain('  - --title: must not be blank');
    expect(options).toContain('  - --severity: must be SEV1, SEV2, SEV3 or SEV4');
    expect(noPolicy).toContain('  - approvals.incident.drill: playbook drill asks this approval, and the config has no policy for it');

    expect(notAllowed).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('not authorized: cli:alice may not open an incident') });

    expect(await listIncidents(fresh.db, { limit: 10 })).toEqual([]);
    // Visibility lags: absence is proven once a later start shows up alone (next test).
  });

  it('opens a drill with the CLI user as commander and prints only its id', async () => {
    const started = await secops(['incident', 'start', 'drill', '--input', '{"steps":1}', '--title', 'Game day drill', '--severity', 'SEV3']);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    expect(started.stdout).toMatch(/^inc-\d{8}-game-day-drill-[0-9a-f]{6}\n$/);
    incidentId = started.stdout.trim();
    await waitUntil('the drill is visible', async () => (await runsOnQueue()).length > 0, 30_000);
    expect(await runsOnQueue()).toEqual([`incident:${incidentId}`]);
    // Its first step is on the stored timeline once the run has opened the incident: acts are taken from then on.
    await waitUntil('the drill\'s first step', async () => (await incidentTimeline(fresh.db, incidentId)).some((e) => e.kind === 'step'), 30_000);
    expect((await listIncidents(fresh.db, { limit: 10 })).map((i) => i.id)).toEqual([incidentId]);
  });

  it('lists it and shows it from its run', async () => {
    const [list, closed, badStatus, show, unknown, notAnId] = await Promise.all([
      secops(['incident', 'list', '--status', 'active']),
      secops(['incident', 'list', '--status', 'closed']),
      secops(['incident', 'list', '--status', 'open']),
      secops(['incident', 'show', incidentId]),
      secops(['incident', 'show', 'inc-20200101-nothing-000000']),
      secops(['incident', 'show', 'INC-1']),
    ]);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toMatch(new RegExp(`^${incidentId}\\s+active\\s+SEV3/P3\\s+Game day drill\\s+drill\\s+cli:alice\\s+`, 'm'));
    expect(closed).toMatchObject({ code: 0, stdout: 'no incidents\n' });
    expect(badStatus).toMatchObject({ code: 2, stderr: expect.stringContaining('--status: must be active, stable or closed') });
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('<incident>: no incident inc-20200101-nothing-000000') });
    expect(notAnId).toMatchObject({ code: 2, stderr: expect.stringContaining('<incident>: must be an incident id') });

    expect(show).toMatchObject({ code: 0, stderr: '' });
    expect(show.stdout).toContain(`${incidentId}: Game day drill\nplaybook drill · SEV3/P3 · active · opened `);
    expect(show.stdout).toContain('as its run has it now');
    expect(show.stdout).toMatch(/^commander\s+cli:alice$/m);
    expect(show.stdout).toMatch(/^detected\s+\S+ \S+\s+cli cli:alice$/m);
    expect(show.stdout).toMatch(/^\S+ \S+\s+created\s+cli:alice\s+Game day drill \(Incident drill, SEV3\) opened from cli$/m);
    expect(show.stdout).toMatch(/^\S+ \S+\s+approval\s+system\s+approval asked \(incident\.drill\)/m);
  });

  it('takes signed acts from the commander and refuses what the rules do not allow', { timeout: 120_000 }, async () => {
    expect(await secops(['incident', 'ack', incidentId])).toMatchObject({ code: 0, stderr: '', stdout: `${incidentId}: acknowledged (active, SEV3, commander cli:alice)\n` });
    expect(await secops(['incident', 'assign', incidentId, 'scribe', 'cli:bob'])).toMatchObject({ code: 0, stdout: expect.stringContaining('role assigned') });
    expect(await secops(['incident', 'severity', incidentId, 'SEV2', '--reason', 'customers notice'])).toMatchObject({ code: 0, stdout: `${incidentId}: severity changed (active, SEV2, commander cli:alice)\n` });
    expect(await secops(['incident', 'note', incidentId, 'rolled back the deploy'])).toMatchObject({ code: 0 });
    expect(await secops(['incident', 'milestone', incidentId, 'mitigated', '--reason', 'rollback done'], as('bob'))).toMatchObject({ code: 0, stderr: '' });

    const [badSeverity, badAssign, notCommander, noTask, show] = await Promise.all([
      secops(['incident', 'severity', incidentId, 'SEV9', '--reason', 'x']),
      secops(['incident', 'assign', incidentId, 'boss', 'bob']),
      secops(['incident', 'resolve', incidentId, '--summary', 'not mine'], as('bob')),
      secops(['incident', 'task', incidentId, 'no-such-task', 'done']),
      secops(['incident', 'show', incidentId]),
    ]);
    expect(badSeverity).toMatchObject({ code: 2, stderr: expect.stringContaining('  - <severity>: must be SEV1, SEV2, SEV3 or SEV4') });
    expect(badAssign).toMatchObject({ code: 2, stderr: expect.stringMatching(/<role>: .*\n.*<who>: must be slack:<user id> or cli:<name>/) });
    expect(notCommander).toMatchObject({ code: 1, stderr: 'error: refused: only the commander (cli:alice) may resolve\n' });
    expect(noTask).toMatchObject({ code: 1, stderr: 'error: refused: no open task no-such-task\n' });

    expect(show.stdout).toMatch(/^scribe\s+cli:bob$/m);
    expect(show.stdout).toMatch(/^mitigated\s+\S+ \S+\s+cli:bob\s+rollback done$/m);
    expect(show.stdout).toMatch(/^\S+ \S+\s+note\s+cli:alice\s+rolled back the deploy$/m);
    expect(show.stdout).toMatch(/^\S+ \S+\s+severity\s+cli:alice\s+severity SEV3 → SEV2: customers notice$/m);
  });

  it('resolves it, after which it is shown from the store', async () => {
    expect(await secops(['incident', 'resolve', incidentId, '--summary', 'drill over'])).toMatchObject({ code: 0, stderr: '' });
    await waitUntil('the incident is closed in the store', async () => (await getIncident(fresh.db, incidentId))?.status === 'closed', 30_000);
    const show = await secops(['incident', 'show', incidentId]);
    expect(show).toMatchObject({ code: 0, stderr: '' });
    expect(show.stdout).toContain('· closed · opened ');
    expect(show.stdout).toContain('as last stored');
    expect(show.stdout).toMatch(/^\S+ \S+\s+resolved\s+cli:alice\s+drill over$/m);
    expect(await secops(['incident', 'ack', incidentId])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: refused: incident .* is not running/) });
  });
});

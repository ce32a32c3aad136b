import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { signAct } from '../../client/incident-act';
import { approvalPolicySchema } from '../../domain/approval';
import type { Principal } from '../../domain/approval-rules';
import type { ActArgs, ActName, SignedAct } from '../../domain/incident-act';
import type { IncidentView, TimelineEvent } from '../../domain/incident';
import { waitUntil } from '../../processes/wait-until';
import { bundleWorkflows } from '../../worker/workflow-bundle';
import { ACT_UPDATES, incidentQuery, timelineQuery } from '../../workflows/incident-definitions';
import type { IncidentInput } from '../../workflows/incident-response';
import { testCliUser, testSigningKey } from '../support/test-ballots';
import { recordHistory } from '../support/histories';
import { startTimeSkipping } from '../support/time-skipping';

interface Recorded {
  timeline: TimelineEvent[];
  audit: { actor: string; action: string }[];
  reminders: number;
}

/** createActivities-shaped fakes for what an incident touches: the store, Slack, the approval gate. */
function fakeActivities(recorded: Recorded): Activities {
  return {
    persistIncident: async ({ events }: { events: TimelineEvent[] }) => (recorded.timeline.push(...events), events.length),
    recordIncidentAudit: async (event: { actor: string; action: string }) => void recorded.audit.push(event),
    announceIncident: async () => ({}),
    remindCommander: async () => void (recorded.reminders += 1),
    resolveSlackGroups: async () => ({}),
    postApprovalRequest: async () => ({ channel: 'C1', ts: '1.1' }),
    postApprovalEscalation: async () => undefined,
    updateApprovalMessage: async () => undefined,
    recordAuditEvent: async () => undefined,
  } as unknown as Activities;
}

const PEOPLE = ['alice', 'bob', 'mallory'];

describe('incident response (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let recorded: Recorded;
  let n = 0;

  beforeAll(async () => {
    env = await startTimeSkipping();
    recorded = { timeline: [], audit: [], reminders: 0 };
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'incidents', workflowBundle: await bundleWorkflows(), activities: fakeActivities(recorded) });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  /** A SEV2 drill (reminders hourly) commanded by alice, bob on it, mallory not. */
  async function open(): Promise<{ handle: WorkflowHandle; incidentId: string }> {
    const incidentId = `inc-20261130-drill-${++n}`;
    const input: IncidentInput = {
      incidentId, title: 'Drill', playbook: 'drill', playbookInput: { steps: 0 }, severity: 'SEV2',
      trigger: { kind: 'cli', by: 'cli:alice', at: new Date(await env.currentTimeMs()).toISOString() },
      commander: 'cli:alice', participants: ['cli:alice', 'cli:bob'],
      signers: { cliUsers: PEOPLE.map(testCliUser) },
      approvals: { 'incident.drill': { ...approvalPolicySchema.parse({ approvers: { cliUsers: [testCliUser('bob')] }, timeout: '24h' }) } },
    };
    const handle = await env.client.workflow.start('incidentResponse', { taskQueue: 'incidents', workflowId: `incident:${incidentId}`, args: [input] });
    await waitUntil('the incident is open', async () => (await handle.query(timelineQuery)).length > 0, 20_000);
    return { handle, incidentId };
  }

  const signed = async <A extends ActName>(incidentId: string, actor: string, action: A, args: ActArgs<A>): Promise<SignedAct<A>> =>
    signAct(testSigningKey(actor), { incidentId, action, args, actor: `cli:${actor}` as Principal }, new Date(await env.currentTimeMs()));
  const send = <A extends ActName>(handle: WorkflowHandle, act: SignedAct<A>) => handle.executeUpdate(ACT_UPDATES[act.action] as (typeof ACT_UPDATES)[A], { args: [act] });
  const refusalOf = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => {
    if (!(error instanceof WorkflowUpdateFailedError)) throw error;
    return error.cause?.message;
  });
  const kinds = async (handle: WorkflowHandle) => (await handle.query(timelineQuery)).map((e) => e.kind);

  it('reminds the commander at the severity\'s cadence; a snooze moves the next reminder; a handoff is on the timeline', async () => {
    const { handle, incidentId } = await open();
    const reminders = async () => (await kinds(handle)).filter((k) => k === 'reminder').length;
    await env.sleep('59m');
    expect(await reminders()).toBe(0);
    await env.sleep('2m');
    await waitUntil('the first reminder', async () => (await reminders()) === 1, 10_000);

    expect(await send(handle, await signed(incidentId, 'alice', 'snoozeReminder', { for: '2h' }))).toMatchObject({ status: 'active' });
    const snoozedAt = await reminders();
    await env.sleep('61m');
    expect(await reminders()).toBe(snoozedAt);
    await env.sleep('60m');
    await waitUntil('the reminder after the snooze', async () => (await reminders()) === snoozedAt + 1, 10_000);

    const view = await send(handle, await signed(incidentId, 'alice', 'assignRole', { role: 'commander', to: 'cli:bob' })) as IncidentView;
    expect(view.roles.commander).toBe('cli:bob');
    expect(view.handoffs.at(-1)).toMatchObject({ role: 'commander', from: 'cli:alice', to: 'cli:bob', by: 'cli:alice' });
    expect((await handle.query(timelineQuery)).at(-1)).toMatchObject({ kind: 'role', actor: 'cli:alice', text: 'commander: cli:alice → cli:bob' });
    // Command handed over: alice steers no more.
    expect(await refusalOf(send(handle, await signed(incidentId, 'alice', 'setSeverity', { severity: 'SEV1', reason: 'worse' })))).toBe('only the commander (cli:bob) may setSeverity');
    await send(handle, await signed(incidentId, 'bob', 'resolve', { summary: 'drill over' }));
    expect(await handle.result()).toMatchObject({ incidentId, status: 'closed', resolution: 'drill over' });
    await recordHistory(env.client, handle.workflowId);
  });

  it('refuses an act that is not authentic or not allowed, before history: no timeline event, no audit row', async () => {
    const { handle, incidentId } = await open();
    const before = { timeline: (await handle.query(timelineQuery)).length, audit: recorded.audit.length };
    const note = await signed(incidentId, 'bob', 'addTimelineEvent', { text: 'restarted the pod' });
    const cases: [string, SignedAct, RegExp][] = [
      ['a non-participant', await signed(incidentId, 'mallory', 'addTimelineEvent', { text: 'hi' }), /^cli:mallory is not a participant of incident /],
      ['a participant steering', await signed(incidentId, 'bob', 'setStatus', { status: 'stable' }), /^only the commander \(cli:alice\) may setStatus$/],
      ['an altered act', { ...note, args: { text: 'nothing happened' } }, /^act signature does not verify/],
      ['an act for another incident', await signed('inc-20261130-other-1', 'bob', 'addTimelineEvent', { text: 'x' }), /^act for incident inc-20261130-other-1/],
      ['one signed by someone else\'s key', { ...(await signed(incidentId, 'mallory', 'acknowledge', {})), actor: 'cli:bob' }, /^act signature does not verify|may not sign for cli:bob/],
      ['bad arguments', await signed(incidentId, 'alice', 'setMilestone', { milestone: 'impactStarted', at: 'yesterday', reason: 'x' } as never), /^setMilestone: at must be an ISO 8601 UTC time$/],
      ['a closing setStatus', await signed(incidentId, 'alice', 'setStatus', { status: 'closed' } as never), /^setStatus: status must be active or stable/],
      ['a stale act', signAct(testSigningKey('bob'), { incidentId, action: 'acknowledge', args: {}, actor: 'cli:bob' }, new Date((await env.currentTimeMs()) - 10 * 60_000)), /outside the 5-minute window/],
    ];
    for (const [name, act, expected] of cases) {
      expect(await refusalOf(send(handle, act)), name).toMatch(expected);
    }
    expect((await handle.query(timelineQuery)).length).toBe(before.timeline);
    expect(recorded.audit.length).toBe(before.audit);

    expect(await send(handle, note)).toMatchObject({ id: incidentId });
    expect(await refusalOf(send(handle, note))).toBe('this signed act was already counted (a replay)');
    expect((await handle.query(timelineQuery)).filter((e) => e.text === 'restarted the pod')).toHaveLength(1);
    expect(recorded.audit.filter((a) => a.action === 'addTimelineEvent' && a.actor === 'cli:bob')).toHaveLength(1);

    await send(handle, await signed(incidentId, 'bob', 'acknowledge', {}));
    await send(handle, await signed(incidentId, 'alice', 'setMilestone', { milestone: 'impactStarted', at: '2026-11-30T08:00:00.000Z', reason: 'the first 500s in the load balancer log' }));
    await send(handle, await signed(incidentId, 'alice', 'resolve', { summary: 'false alarm' }));
    await handle.result();
    await recordHistory(env.client, handle.workflowId);
    const view = await handle.query(incidentQuery);
    expect(Object.keys(view.milestones).sort()).toEqual(['acknowledged', 'detected', 'impactStarted', 'resolved']);
    expect(view.milestones.impactStarted).toMatchObject({ at: '2026-11-30T08:00:00.000Z', source: 'cli:alice', reason: 'the first 500s in the load balancer log' });
    expect(view.milestones.acknowledged?.source).toBe('cli:bob');
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { parseConfig, type Config } from '../../domain/config';
import { dastScanInput, type DastScanResult } from '../../domain/dast';
import { incidentWorkflowId } from '../../domain/incident';
import type { ScanReport } from '../../domain/scan-report';
import { startVulnerableApp, type VulnerableApp } from '../../demo/vulnerable-app';
import { waitUntil } from '../../processes/wait-until';
import { migrate } from '../../store/migrations';
import type { IncidentInput } from '../../workflows/incident-response';
import { incidentQuery, timelineQuery } from '../../workflows/incident-definitions';
import { dastScan } from '../../workflows/dast-scan';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { recordHistory } from '../support/histories';
import { freePort } from '../support/ports';
import { testCliUser } from '../support/test-ballots';
import { startWorkers, type RunningWorkers } from '../support/workers';

/**
 * A target with `incidentOn: high`: its scan opens one exposed-vulnerability incident per new
 * finding at or above high, with the owners on it; the next scan, which finds the same
 * weaknesses again (persisting, not new), opens none. A target without it opens none.
 */
describe('a scan opens incidents for new findings (target incidentOn)', () => {
  let fresh: FreshDatabase;
  let app: VulnerableApp;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    [fresh, port] = await Promise.all([freshDatabase(), freePort()]);
    await migrate(fresh.db);
    dir = mkdtempSync(join(tmpdir(), 'secops-scan-incident-'));
    app = await startVulnerableApp({ port, release: 'current' });
  });
  afterAll(async () => {
    await app?.stop();
    await fresh?.drop();
  });

  const configFor = (running: RunningWorkers): Config => parseConfig(`
version: 1
taskQueues: { control: ${running.taskQueues.control}, scanners: ${running.taskQueues.scanners} }
artifactsDir: ${dir}/artifacts
targets:
  - { id: paging, url: "http://127.0.0.1:${port}/", engine: wapiti, scope: { hosts: [127.0.0.1] }, maxScanMinutes: 5, owners: ["cli:olivia", "S0GROUP", "team-shop"], incidentOn: high }
  - { id: quiet, url: "http://127.0.0.1:${port}/", engine: wapiti, scope: { hosts: [127.0.0.1] }, maxScanMinutes: 5, owners: ["cli:olivia"] }
approvals:
  incident.drill: { approvers: { cliUsers: [{ name: olivia, publicKey: "${testCliUser('olivia').publicKey}" }] } }
`);

  it('opens one incident per new high finding with the owners on it, and none for the same findings next week', { timeout: 240_000 }, async () => {
    const running = await startWorkers(createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: undefined }));
    await running.during(async () => {
      const config = configFor(running);
      const scan = async (targetIndex: number, name: string) => (await running.client.workflow.execute(dastScan, {
        taskQueue: running.taskQueues.control, workflowId: `dast:${config.targets[targetIndex]!.id}:${name}`, args: [dastScanInput(config, config.targets[targetIndex]!, 'cli:olivia')],
      })) as DastScanResult;

      const first = await scan(0, 'first');
      await recordHistory(running.client, 'dast:paging:first');
      const report = JSON.parse(readFileSync(first.reports.json, 'utf8')) as ScanReport;
      const highNew = report.findings.filter((f) => f.status === 'new' && (f.severity === 'high' || f.severity === 'critical'));
      // The demo app's SQL injection, command execution and path traversal are high: the test proves something only if they are there.
      expect(highNew.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['sql-injection', 'command-execution', 'path-traversal']));
      expect(first.incidents!.opened).toHaveLength(Math.min(5, highNew.length));
      expect(first.incidents!.more).toBe(Math.max(0, highNew.length - 5));

      for (const incidentId of first.incidents!.opened) {
        const handle = running.client.workflow.getHandle(incidentWorkflowId(incidentId));
        const started = (await handle.fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!;
        expect(started.parentWorkflowExecution?.workflowId).toBe('dast:paging:first');
        await waitUntil(`${incidentId} waits for a fix`, async () => (await handle.query(timelineQuery)).some((e) => e.text.includes('waiting for its owners')), 30_000);
        const view = await handle.query(incidentQuery);
        const finding = highNew.find((f) => view.title.startsWith(f.title.slice(0, 40)))!;
        expect(finding, view.title).toBeDefined();
        // Only owners who can sign act on it: the Slack group and the label are not people.
        expect(view.participants).toEqual(['cli:olivia']);
        expect(view.severity).toBe(finding.severity === 'critical' ? 'SEV1' : 'SEV2');
        expect(view.milestones.detected?.source).toBe('dast dast:paging:first');
      }
      // The incident's re-test is the target's scan without incidentOn: a re-test never opens incidents.
      const startedEvent = (await running.client.workflow.getHandle(incidentWorkflowId(first.incidents!.opened[0]!)).fetchHistory()).events![0]!;
      const incidentInput = defaultPayloadConverter.fromPayload<IncidentInput>(startedEvent.workflowExecutionStartedEventAttributes!.input!.payloads![0]!);
      expect(incidentInput).toMatchObject({ playbook: 'exposed-vulnerability', prepared: { retest: { target: { id: 'paging' } } } });
      expect(incidentInput.prepared).not.toHaveProperty('retest.findingIncidents');

      const second = await scan(0, 'second');
      expect(second.diff.new).toBe(0);
      expect(second.incidents).toBeUndefined();
      const quiet = await scan(1, 'first');
      expect(quiet.diff.new).toBeGreaterThan(0);
      expect(quiet.incidents).toBeUndefined();

      const incidents = await fresh.db.query<{ id: string }>('SELECT id FROM incidents ORDER BY id');
      expect(incidents.rows.map((r) => r.id).sort()).toEqual([...first.incidents!.opened].sort());
      await Promise.all(first.incidents!.opened.map((id) => running.client.workflow.getHandle(incidentWorkflowId(id)).terminate('test over')));
    });
  });
});

import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import type { Activities } from '../../activities';
import { parseConfig } from '../../domain/config';
import { dastScanInput, type DastScanResult } from '../../domain/dast';
import { startWorkers } from '../support/workers';
import { dastScan } from '../../workflows/dast-scan';

const config = parseConfig(`
version: 1
taskQueues: { control: dast-control, scanners: dast-scanners }
artifactsDir: /tmp/secops-artifacts
targets:
  - { id: demo, url: "http://127.0.0.1:8088/", engine: wapiti, scope: { hosts: [127.0.0.1] } }
`);
const demo = config.targets[0]!;
// The config refuses this target; the workflow must too, whatever started it.
const metadata = { ...demo, id: 'metadata', url: 'http://169.254.169.254/latest/', scope: undefined };
const counts = { info: 1, low: 2, medium: 1, high: 0, critical: 0 };
const diff = { new: 1, fixed: 0, persisting: 3, suppressed: 0, notRetested: 0 };
const reports = { json: '/r/report.json', sarif: '/r/report.sarif', markdown: '/r/report.md', html: '/r/report.html' };

/** createActivities-shaped fakes that record what the workflow called, in order. */
function fakes(calls: string[], overrides: Partial<Activities> = {}): Activities {
  const record = <T>(name: string, value: T) => async (..._args: unknown[]) => (calls.push(name), value);
  return {
    checkTargetAddresses: record('checkTargetAddresses', [] as string[]),
    recordScanStarted: record('recordScanStarted', undefined),
    runScanner: record('runScanner', { reportPath: '/r/wapiti.json', exitCode: 0, durationMs: 10 }),
    ingestReport: record('ingestReport', { findings: 4, instances: 9 }),
    compareWithBaseline: record('compareWithBaseline', { counts, diff, verdict: 'warn', scanReportPath: '/r/scan-report.json' }),
    publishReports: record('publishReports', reports),
    notifyScan: record('notifyScan', { posted: false }),
    recordScanFailed: record('recordScanFailed', undefined),
    ...overrides,
  } as unknown as Activities;
}

/**
 * On the dev server rather than the time-skipping one: dastScan has no timers to skip, and
 * it upserts custom search attributes, which the dev server registers at start.
 */
describe('dastScan workflow', () => {
  async function run(id: string, activities: Activities, target = demo) {
    const workers = await startWorkers(activities);
    return workers.during(async () => {
      const input = dastScanInput({ ...config, taskQueues: workers.taskQueues }, target, 'cli:test');
      const handle = await workers.client.workflow.start(dastScan, { taskQueue: workers.taskQueues.control, workflowId: id, args: [input] });
      const result = await handle.result().catch((error: unknown) => error);
      return { result: result as DastScanResult, description: await handle.describe() };
    });
  }

  it('runs the steps in order and returns counts, diff, verdict and report paths', async () => {
    const calls: string[] = [];
    const id = `dast:demo:ok-${Date.now()}`;
    const { result, description } = await run(id, fakes(calls));
    expect(calls).toEqual(['checkTargetAddresses', 'recordScanStarted', 'runScanner', 'ingestReport', 'compareWithBaseline', 'publishReports', 'notifyScan']);
    expect(result).toEqual({ scanId: id, targetId: 'demo', verdict: 'warn', counts, diff, findings: 4, reports });
    expect(description.searchAttributes.SecopsVerdict).toEqual(['warn']);
  });

  it('opens an incident per new finding the target pages on, and a start that fails is reported, not a failed scan', async () => {
    const calls: string[] = [];
    const finding = { fingerprint: 'a'.repeat(64), title: 'SQL Injection', severity: 'critical', url: 'http://127.0.0.1:8088/product' };
    // The same finding twice gives the same incident id: the second start is refused by the server.
    const activities = fakes(calls, { incidentWorthyFindings: async () => (calls.push('incidentWorthyFindings'), { findings: [finding, finding], more: 3 }) } as Partial<Activities>);
    const paging = { ...demo, id: 'paging', incidentOn: 'high' as const, owners: ['cli:olivia'] };
    const workers = await startWorkers(activities);
    const id = `dast:paging:${Date.now()}`;
    const result = await workers.during(async () => {
      const input = dastScanInput({ ...config, taskQueues: workers.taskQueues }, paging, 'cli:test');
      const outcome = (await workers.client.workflow.execute(dastScan, { taskQueue: workers.taskQueues.control, workflowId: id, args: [input] })) as DastScanResult;
      await Promise.all(outcome.incidents!.opened.map((incident) => workers.client.workflow.getHandle(`incident:${incident}`).terminate('test over')));
      return outcome;
    });
    expect(calls).toEqual(['checkTargetAddresses', 'recordScanStarted', 'runScanner', 'ingestReport', 'compareWithBaseline', 'publishReports', 'notifyScan', 'incidentWorthyFindings']);
    expect(result.verdict).toBe('warn');
    expect(result.incidents).toEqual({
      opened: [expect.stringMatching(/^inc-\d{8}-sql-injection-on-paging-aaaaa[0-9a-f]{4}$/)],
      more: 3,
      failed: [{ fingerprint: finding.fingerprint, reason: expect.stringMatching(/already/i) }],
    });
  });

  it('refuses a metadata address before anything runs', async () => {
    const calls: string[] = [];
    const { result: error } = await run(`dast:metadata:${Date.now()}`, fakes(calls), metadata);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as unknown as WorkflowFailedError).cause?.message).toBe('target metadata refused: 169.254.169.254 is a link-local/metadata address; set scope.allowLinkLocal to scan it');
    expect(calls).toEqual([]);
  });

  it('refuses a host name that resolves to a metadata address', async () => {
    const calls: string[] = [];
    const activities = fakes(calls, { checkTargetAddresses: async () => (calls.push('checkTargetAddresses'), ['demo.test resolves to link-local/metadata address 169.254.169.254']) });
    const { result: error } = await run(`dast:demo:dns-${Date.now()}`, activities);
    expect((error as unknown as WorkflowFailedError).cause?.message).toContain('resolves to link-local/metadata address 169.254.169.254');
    expect(calls).toEqual(['checkTargetAddresses']);
  });

  it('refuses an apiSpec URL whose host name resolves to a metadata address, before anything runs', async () => {
    const calls: string[] = [];
    const checked: string[] = [];
    const activities = fakes(calls, {
      checkTargetAddresses: async ({ url }) => {
        calls.push('checkTargetAddresses');
        checked.push(url);
        return url.includes('openapi') ? ['127.0.0.1 resolves to link-local/metadata address 169.254.169.254'] : [];
      },
    });
    const withSpec = { ...demo, apiSpec: 'http://127.0.0.1:8088/openapi.json' };
    const { result: error } = await run(`dast:demo:spec-dns-${Date.now()}`, activities, withSpec);
    expect((error as unknown as WorkflowFailedError).cause?.message).toBe('target demo refused: apiSpec: 127.0.0.1 resolves to link-local/metadata address 169.254.169.254');
    expect(checked).toEqual(['http://127.0.0.1:8088/', 'http://127.0.0.1:8088/openapi.json']);
    expect(calls).toEqual(['checkTargetAddresses', 'checkTargetAddresses']);
  });

  it('records the scan as failed, with the reason, when the report is malformed', async () => {
    const calls: string[] = [];
    const failures: unknown[] = [];
    const id = `dast:demo:malformed-${Date.now()}`;
    const activities = fakes(calls, {
      ingestReport: async () => {
        throw ApplicationFailure.nonRetryable('/r/wapiti.json: truncated or malformed JSON at position 120', 'MalformedReport');
      },
      recordScanFailed: async (input: unknown) => void failures.push(input),
    });
    const { result: error } = await run(id, activities);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(failures).toEqual([{ scanId: id, error: '/r/wapiti.json: truncated or malformed JSON at position 120' }]);
    expect(calls).not.toContain('compareWithBaseline');
  });

  describe('a scan that reached nothing', () => {
    const reason = 'the target did not answer (0 URLs crawled, 1 of 1 requests failed, 12 modules started; from wapiti -v 1 log + report)';
    const message = `scan of demo reached nothing to scan: ${reason}`;
    function unreached(calls: string[], failures: unknown[], notify: Activities['notifyScanError']) {
      return fakes(calls, {
        runScanner: async () => (calls.push('runScanner'), { reportPath: '/r/wapiti.json', exitCode: 0, durationMs: 10, coveragePath: '/r/scan-coverage.json', nothingReached: reason }),
        recordScanFailed: async (input: unknown) => void failures.push(input),
        notifyScanError: notify,
      });
    }

    it('ends as an error that is not retried: recorded with its coverage, the channel told why, nothing diffed', async () => {
      const calls: string[] = [];
      const failures: unknown[] = [];
      const notices: unknown[] = [];
      const id = `dast:demo:unreached-${Date.now()}`;
      const { result: error } = await run(id, unreached(calls, failures, async (input) => (notices.push(input), { posted: true })));
      expect((error as unknown as WorkflowFailedError).cause).toMatchObject({ type: 'NothingScanned', message, nonRetryable: true });
      expect(calls).toEqual(['checkTargetAddresses', 'recordScanStarted', 'runScanner']);
      expect(failures).toEqual([{ scanId: id, error: message, coveragePath: '/r/scan-coverage.json' }]);
      expect(notices).toEqual([{ scanId: id, target: expect.objectContaining({ id: 'demo', url: 'http://127.0.0.1:8088/' }), reason: message }]);
    });

    it('fails with its own reason even when Slack refuses the notice', async () => {
      const calls: string[] = [];
      const failures: unknown[] = [];
      const refused = async (): Promise<{ posted: boolean }> => {
        throw ApplicationFailure.nonRetryable('Slack refused the DAST error notice of demo in #x: channel_not_found', 'SlackRefused');
      };
      const { result: error } = await run(`dast:demo:unreached-refused-${Date.now()}`, unreached(calls, failures, refused));
      expect((error as unknown as WorkflowFailedError).cause).toMatchObject({ type: 'NothingScanned', message });
      expect(failures).toHaveLength(1);
    });
  });
});

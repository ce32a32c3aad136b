import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type ActivityDeps } from '../../activities';
import { parseEnvironment } from '../../domain/environment';
import { runUrl } from '../../domain/run-url';
import { writeScanReport } from '../../store/scan-report-file';
import { buildScanReport } from '../fixtures/scan-report';
import { startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';

const BOT_TOKEN = 'test-bot-token-notify-scan';
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {} };

/**
 * The DAST summary links to its run in the Temporal UI, as approval requests do: the
 * activities built the way the worker builds them (worker/main.ts passes `runUrl`), posting
 * to the Slack fake.
 */
describe('DAST summary in Slack', () => {
  let api: SlackApiServer;
  const dir = mkdtempSync(join(tmpdir(), 'secops-notify-'));
  // A scan id is a workflow id: colons and all, it must survive as one path segment.
  const report = buildScanReport({ scanId: 'dast:shop-staging:2025-06-02T01:00:00.000Z' });
  const env = parseEnvironment({ TEMPORAL_UI_URL: 'http://127.0.0.1:8233/', TEMPORAL_NAMESPACE: 'security' });

  beforeAll(async () => {
    api = await startSlackApiServer({ botToken: BOT_TOKEN, channels: [{ id: 'C0SCANS', name: 'scans', member: true }] });
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function footerOfSummary(deps: Partial<ActivityDeps>): Promise<string> {
    const slack = new WebClient(BOT_TOKEN, { slackApiUrl: api.url, retryConfig: { retries: 0 }, logger: quiet });
    const activities = createActivities({ docker: new Docker(), store: undefined, slack, slackChannel: '#scans', ...deps });
    const scanReportPath = await writeScanReport(join(dir, String(api.callsTo('chat.postMessage').length)), report);
    expect(await activities.notifyScan({ scanReportPath, htmlReportPath: '/artifacts/shop/report.html' })).toEqual({ posted: true });
    const posted = api.callsTo('chat.postMessage').at(-1)!;
    expect(posted.problems).toEqual([]);
    const blocks = posted.args.blocks as { type: string; elements?: { text: string }[] }[];
    return blocks.at(-1)?.elements?.[0]?.text ?? '';
  }

  it('links the run\'s page in the Temporal UI when the worker knows where the UI is', async () => {
    const footer = await footerOfSummary({ runUrl: (workflowId) => runUrl(env, workflowId) });
    expect(footer).toContain('<http://127.0.0.1:8233/namespaces/security/workflows/dast%3Ashop-staging%3A2025-06-02T01%3A00%3A00.000Z|Temporal run>');
  });

  it('leaves the link out, not broken, without TEMPORAL_UI_URL', async () => {
    const footer = await footerOfSummary({ runUrl: (workflowId) => runUrl(parseEnvironment({}), workflowId) });
    expect(footer).not.toContain('Temporal run');
    expect(footer).toContain('HTML report');
  });
});

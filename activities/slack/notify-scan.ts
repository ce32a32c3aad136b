import { log } from '@temporalio/activity';
import type { WebClient } from '@slack/web-api';
import { scanSummaryMessage } from '../../render/slack/scan-summary';
import { readScanReport } from '../../store/scan-report-file';
import { refusedForGood } from './slack-refusal';

export function createNotifyActivities(slack: WebClient | undefined, defaultChannel: string | undefined, runUrl: (workflowId: string) => string | undefined) {
  return {
    /**
     * Posts the summary to the target's channel, linking the run's page in the Temporal UI
     * when the worker knows where it is (the scan id is the workflow id); without Slack it
     * is logged, and the CLI shows it.
     */
    async notifyScan(input: { scanReportPath: string; htmlReportPath: string; channel?: string }): Promise<{ posted: boolean }> {
      const report = await readScanReport(input.scanReportPath);
      const message = scanSummaryMessage(report, { html: input.htmlReportPath, run: runUrl(report.scanId) });
      const channel = input.channel ?? defaultChannel;
      if (!slack || !channel) {
        log.info(message.text);
        return { posted: false };
      }
      // The scan is already complete in the store; a summary Slack will never take fails the
      // run at once, saying what to fix, instead of retrying for minutes.
      await refusedForGood(`the DAST summary of ${report.target.id} in ${channel}`, () => slack.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false }));
      return { posted: true };
    },
  };
}

import { readFile } from 'node:fs/promises';
import { log } from '@temporalio/activity';
import type { WebClient } from '@slack/web-api';
import type { ScanReport } from '../../domain/scan-report';
import { scanSummaryMessage } from '../../render/slack/scan-summary';
import { refusedForGood } from './slack-refusal';

export function createNotifyActivities(slack: WebClient | undefined, defaultChannel: string | undefined) {
  return {
    /** Posts the summary to the target's channel; without Slack it is logged, and the CLI shows it. */
    async notifyScan(input: { scanReportPath: string; htmlReportPath: string; channel?: string; runUrl?: string }): Promise<{ posted: boolean }> {
      const report = JSON.parse(await readFile(input.scanReportPath, 'utf8')) as ScanReport;
      const message = scanSummaryMessage(report, { html: input.htmlReportPath, run: input.runUrl });
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

import { log } from '@temporalio/activity';
import type { WebClient } from '@slack/web-api';
import type { Engine } from '../../domain/finding';
import { scanErrorMessage } from '../../render/slack/scan-summary';
import { refusedForGood } from './slack-refusal';

export interface ScanErrorNotice {
  scanId: string;
  target: { id: string; url: string; engine: Engine; profile: string; channel?: string };
  reason: string;
}

export function createScanErrorNotifyActivities(slack: WebClient | undefined, defaultChannel: string | undefined, runUrl: (workflowId: string) => string | undefined) {
  return {
    /**
     * Tells the target's channel that its scan ended as an error, and why; without Slack it is
     * logged, and the CLI says it. A scan that reached nothing must not look like a quiet week.
     */
    async notifyScanError(input: ScanErrorNotice): Promise<{ posted: boolean }> {
      const message = scanErrorMessage(input, { run: runUrl(input.scanId) });
      const channel = input.target.channel ?? defaultChannel;
      if (!slack || !channel) {
        log.warn(message.text);
        return { posted: false };
      }
      await refusedForGood(`the DAST error notice of ${input.target.id} in ${channel}`, () => slack.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false }));
      return { posted: true };
    },
  };
}

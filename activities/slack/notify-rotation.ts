import type { WebClient } from '@slack/web-api';
import { log } from '@temporalio/activity';
import { text as mrkdwnText } from '../../render/slack/mrkdwn';

/** Rotation news: consumers hear of a promotion, on-call hears of a failure and what was rolled back. */
export function createRotationNotifyActivities(slack: WebClient | undefined, defaultChannel: string | undefined) {
  return {
    async notifyRotation(input: { credentialId: string; channel?: string; text: string }): Promise<{ posted: boolean }> {
      const channel = input.channel ?? defaultChannel;
      const text = `Credential ${input.credentialId}: ${input.text}`;
      if (!slack || !channel) {
        log.warn(text);
        return { posted: false };
      }
      await slack.chat.postMessage({ channel, text: mrkdwnText(text, 3000) });
      return { posted: true };
    },
  };
}
